"""Held-out questions: written before reading the keyword tables of bot/intents.py.

Each question is typed as the FIRST message of a new conversation and goes through the real
router (privacy screen, commands, interceptors, the dates interceptor), so what is measured is
what a user sees.  Each row gives the outcomes that count as right:

- an intent name: the page of that topic is shown;
- several names: the question is ambiguous, any of them answered is right;
- ``out``: the "my sources do not answer this" page;
- ``date``: the deadline flow takes the message (it states a date);
- ``greeting`` / ``thanks``.

Outcomes: *right* (answered with one of the expected outcomes), *offered* (the "unsure" page
with buttons, one of which is expected; for ``out`` rows any offer counts, since no topic is
answered), *wrong* (anything else: another topic answered, "outside" for an in-scope question,
buttons that do not contain the topic).  A wrong answer is worse than offered buttons.

First pass, before any change to bot/intents.py or flows/questions.py (222 questions):
    right 159 (72%), offered 29 (13%), wrong 34 (15%)
After a first round of general changes (normalisation, stems, sub-topics, off-topic scoring,
synonyms) tuned while looking at the failures of this first set: 200 right (90%), 20 offered, 2 wrong.
So a second set, HELDOUT_2 (109 questions), was written only then; its first pass measures
how those changes generalise:
    right 76 (70%), offered 12 (11%), wrong 21 (19%)
Then a general mechanism, a nearest-neighbour second opinion over labelled examples
(bot/intent_examples.py: the old corpus and HELDOUT, never HELDOUT_2), without new words:
    HELDOUT_2: right 80 (73%), offered 11 (10%), wrong 18 (17%)
(Three rows of HELDOUT_2 turned out identical to old-corpus questions; they were reworded
afterwards so that the set stays unseen by the examples; the figures below are with the new wording.)
Then synonyms added while looking at HELDOUT_2's failures (so from here HELDOUT_2 is no longer
unseen), a stricter rule for the examples overriding the keyword leader, and a named day in a
question about a dateless topic no longer taken as a notice date:
    HELDOUT:   right 206 (93%), offered 15 (7%), wrong 1 (0%)
    HELDOUT_2: right 90 (83%), offered 16 (15%), wrong 3 (3%)
Leave-one-out over the 540 labelled examples (each classified with itself removed from the
neighbours; the keyword table has seen them all): right 492 (91%), offered 38 (7%), wrong 10 (2%).
"""
from __future__ import annotations

import asyncio

from bot import intents
from tests.harness import Chat, make_app

FR, EN = "fr", "en"

HELDOUT: list[tuple[str, tuple[str, ...], str]] = [
    # --- what it is
    ("cest koi ce truc mon espace santé", ("what_is",), FR),
    ("g recu un mail mon espace santé jcomprend pas c quoi", ("what_is", "window", "refuse"), FR),
    ("c'est quoi la différence entre le DMP et mon espace santé", ("what_is", "contents"), FR),
    ("mon espace sante kesako", ("what_is",), FR),
    ("what's this mon espace santé thing?", ("what_is",), EN),
    ("c un truc de l'etat ou une arnaque ?", ("what_is", "phishing"), FR),
    ("ça sert à quoi au juste", ("what_is",), FR),
    # --- contents
    ("y a quoi dedans exactement", ("contents",), FR),
    ("est ce que mes vaccins sont dedans", ("contents",), FR),
    ("ils mettent mes remboursements dans le dossier ??", ("contents",), FR),
    ("mes radios et mes prises de sang vont etre dessus ?", ("contents",), FR),
    ("what info is stored in it", ("contents",), EN),
    ("ya mes antécédents dedans ?", ("contents",), FR),
    ("les messages de prévention c'est quoi", ("contents", "restrict"), FR),
    # --- who can see
    ("qui peut lire mon dossier", ("access",), FR),
    ("ma pharmacienne elle voit tout ??", ("access",), FR),
    ("est ce que le dentiste a acces", ("access",), FR),
    ("tous les medecins de l'hopital peuvent regarder ?", ("access",), FR),
    ("who has access to my records", ("access",), EN),
    ("les soignants ont besoin de mon accord pour voir ?", ("access",), FR),
    ("mon ostéo peut voir mes données ?", ("access",), FR),
    # --- médecin traitant
    ("mon generaliste voit meme ce que je cache ?", ("doctor",), FR),
    ("le medecin traitant a acces a tout c vrai ?", ("doctor",), FR),
    ("si je masque un doc mon médecin le voit qd même ?", ("doctor", "restrict"), FR),
    ("can my GP see hidden documents", ("doctor",), EN),
    ("je peux bloquer mon médecin traitant ?", ("doctor", "restrict"), FR),
    ("mon doc traitant voit tout ou pas", ("doctor",), FR),
    # --- emergency and history
    ("en cas d'accident les urgences peuvent voir mon dossier ?", ("emergency",), FR),
    ("le samu a acces ?", ("emergency",), FR),
    ("si je suis inconscient ils peuvent ouvrir mon dossier", ("emergency",), FR),
    ("comment savoir qui a consulté mon dossier", ("emergency", "restrict"), FR),
    ("emergency access can i refuse it", ("emergency", "restrict"), EN),
    ("les pompiers voient mes infos ?", ("emergency", "access"), FR),
    # --- insurers, banks, employers
    ("mon patron peut voir mes données de santé ?", ("never",), FR),
    ("j'ai peur que mon employeur tombe sur mes infos", ("never",), FR),
    ("ma mutuelle a accès à mon dossier médical ?", ("never",), FR),
    ("la banque peut demander mon dossier pour un pret immobilier", ("never",), FR),
    ("l'assurance de mon crédit peut exiger de le voir ?", ("never",), FR),
    ("can my employer see it", ("never",), EN),
    ("le medecin du travail il voit tout ?", ("never", "access"), FR),
    # --- debate
    ("pourquoi des gens refusent ?", ("debate",), FR),
    ("c'est dangereux de le garder ?", ("debate", "leak"), FR),
    ("vous me conseillez quoi, je refuse ou pas", ("debate", "compulsory", "understand:decide"), FR),
    ("quels sont les avantages", ("debate",), FR),
    ("la quadrature du net dit qu'il faut refuser c vrai", ("debate",), FR),
    ("is it a good idea to keep it", ("debate",), EN),
    ("c'est bien ou pas ce truc", ("debate",), FR),
    # --- compulsory
    ("c obligatoire ?", ("compulsory",), FR),
    ("je suis obligé de l'avoir ?", ("compulsory",), FR),
    ("on peut dire non ?", ("compulsory", "refuse"), FR),
    ("is it mandatory", ("compulsory",), EN),
    ("est ce que c'est une obligation legale", ("compulsory",), FR),
    ("jsuis forcée d'accepter ?", ("compulsory",), FR),
    # --- refuse
    ("comment je fais pour refuser", ("refuse",), FR),
    ("je veux m'opposer", ("refuse",), FR),
    ("je n'en veux pas de ce dossier", ("refuse", "close"), FR),
    ("how do i opt out", ("refuse",), EN),
    ("comment on dit non a mon espace sante", ("refuse",), FR),
    ("jveux pas qu'on cree mon dossier", ("refuse",), FR),
    ("je veux refuser mais je sais pas comment faire", ("refuse",), FR),
    # --- online
    ("on peut refuser sur internet ?", ("online",), FR),
    ("c'est quel site pour s'opposer", ("online",), FR),
    ("sur le site je trouve pas le bouton pour refuser", ("online",), FR),
    ("pourquoi faut cliquer sur activer pour refuser c absurde", ("online",), FR),
    ("refuse online how", ("online",), EN),
    ("g pas trouvé ou on s'oppose sur monespacesante.fr", ("online",), FR),
    # --- phone
    ("c quoi le numero pour refuser", ("phone",), FR),
    ("le 3422 c payant ?", ("phone",), FR),
    ("c'est ouvert le samedi le 3422 ?", ("phone",), FR),
    ("a quelle heure je peux appeler", ("phone",), FR),
    ("ils repondent jusqu'a quelle heure", ("phone",), FR),
    ("is the phone line free", ("phone",), EN),
    ("je peux appeler maintenant ?", ("phone",), FR),
    ("jpeux refuser par tel ?", ("phone",), FR),
    ("c koi le num pr refuser", ("phone",), FR),
    ("kan ca ferme le 3422", ("phone",), FR),
    # --- lost code
    ("j'ai perdu mon code", ("lost_code",), FR),
    ("g jamais recu le code provisoire", ("lost_code",), FR),
    ("mon code marche pas il est expiré", ("lost_code",), FR),
    ("j'ai supprimé le mail avec le code", ("lost_code",), FR),
    ("comment avoir un nouveau code", ("lost_code",), FR),
    ("lost my code what now", ("lost_code",), EN),
    # --- what to have ready
    ("il faut quoi pour refuser ?", ("ready", "refuse"), FR),
    ("ou est le numero de serie sur la carte vitale", ("ready",), FR),
    ("j'ai besoin de ma carte vitale ?", ("ready",), FR),
    ("quels papiers préparer avant", ("ready",), FR),
    ("what do i need to opt out", ("ready", "refuse"), EN),
    ("le numéro de série c'est lequel sur la carte sans photo", ("ready",), FR),
    # --- proof
    ("comment prouver que j'ai refusé", ("proof",), FR),
    ("on reçoit une confirmation ?", ("proof",), FR),
    ("j'ai pas eu de mail de confirmation c normal", ("proof",), FR),
    ("je dois garder une preuve ?", ("proof",), FR),
    ("is there a receipt after refusing", ("proof",), EN),
    # --- phishing
    ("on m'a appelé pour me demander mon code c'est normal ?", ("phishing",), FR),
    ("j'ai reçu un sms bizarre sur mon espace santé", ("phishing",), FR),
    ("c une arnaque ce mail ?", ("phishing",), FR),
    ("comment savoir si le mail est vraiment de l'assurance maladie", ("phishing",), FR),
    ("someone texted me asking for my code", ("phishing",), EN),
    # --- deaf
    ("je suis sourde comment je fais", ("deaf",), FR),
    ("mon pere est malentendant il peut pas telephoner", ("deaf", "relative"), FR),
    ("y a un service en langue des signes ?", ("deaf",), FR),
    ("I'm deaf, can I call?", ("deaf",), EN),
    # --- missed the deadline
    ("j'ai laissé passer le delai", ("missed",), FR),
    ("trop tard ?", ("missed", "window"), FR),
    ("mon espace a deja été créé je fais quoi", ("missed",), FR),
    ("g oublié de refuser a temps", ("missed",), FR),
    ("the deadline passed", ("missed",), EN),
    ("c mort pour refuser maintenant ?", ("missed",), FR),
    ("je panique j'ai rien fait et le délai est passé", ("missed",), FR),
    # --- close
    ("comment supprimer mon espace santé", ("close", "data"), FR),
    ("je veux fermer mon compte", ("close",), FR),
    ("comment clôturer mon profil", ("close",), FR),
    ("desactiver mon espace sante", ("close",), FR),
    ("how do i close my account", ("close",), EN),
    ("je veux tout supprimer definitivement", ("close", "data"), FR),
    # --- data after closing
    ("si je ferme ils gardent mes données ?", ("data",), FR),
    ("mes infos sont effacées quand je ferme ?", ("data",), FR),
    ("combien de temps ils conservent tout", ("data",), FR),
    ("peut on demander la suppression des données", ("data",), FR),
    ("what happens to my data if i close it", ("data",), EN),
    # --- reopen
    ("si je refuse je pourrai changer d'avis ?", ("reopen",), FR),
    ("je peux le rouvrir plus tard ?", ("reopen",), FR),
    ("j'ai refusé mais je le veux finalement", ("reopen",), FR),
    ("can I change my mind later", ("reopen",), EN),
    # --- restrict
    ("comment cacher un document", ("restrict",), FR),
    ("je veux garder mais limiter qui voit", ("restrict",), FR),
    ("bloquer un medecin c possible ?", ("restrict", "doctor"), FR),
    ("je veux plus recevoir leurs messages de prevention", ("restrict",), FR),
    ("how to hide a document", ("restrict",), EN),
    # --- children
    ("et les enfants ?", ("children",), FR),
    ("mon bébé vient de naitre il a un espace ?", ("children",), FR),
    ("comment refuser pour ma fille", ("children",), FR),
    ("mes gosses aussi ils ont un dossier ?", ("children",), FR),
    ("what about my kids", ("children",), EN),
    # --- 18
    ("mon fils va avoir 18 ans", ("adult18",), FR),
    ("a la majorité on est reprevenu ?", ("adult18",), FR),
    ("je suis mineure est ce que mes parents voient tout", ("adult18",), FR),
    ("my daughter is turning 18", ("adult18",), EN),
    # --- two parents
    ("on est divorcés, qui reçoit le courrier pour les enfants", ("two_parents",), FR),
    ("mon ex peut refuser pour notre fils sans moi ?", ("two_parents",), FR),
    ("les deux parents doivent etre d'accord ?", ("two_parents",), FR),
    # --- régimes
    ("je suis a la msa", ("regimes",), FR),
    ("je suis fonctionnaire a la mgen ca marche pareil ?", ("regimes",), FR),
    ("je suis agriculteur ca me concerne ?", ("regimes",), FR),
    ("régime spécial sncf c'est pareil ?", ("regimes",), FR),
    ("I'm with the MSA", ("regimes",), EN),
    # --- protected adult, relative, others, offline
    ("je suis tuteur de mon frere", ("protected",), FR),
    ("ma mère est sous curatelle comment on fait", ("protected",), FR),
    ("mandataire judiciaire peut refuser ?", ("protected",), FR),
    ("je veux aider ma grand mère à refuser", ("relative",), FR),
    ("ma mere de 85 ans veut pas de ce truc", ("relative",), FR),
    ("je peux le faire à la place de mon père ?", ("relative", "others", "protected"), FR),
    ("je veux faire les démarches pour quelqu'un d'autre", ("others", "relative"), FR),
    ("j'ai pas internet", ("offline",), FR),
    ("je sais pas me servir d'un ordi", ("offline",), FR),
    ("ou trouver de l'aide pres de chez moi", ("offline",), FR),
    ("peut on aller a la cpam", ("offline",), FR),
    ("I don't have a computer", ("offline",), EN),
    # --- the window, the deadline
    ("j'ai combien de temps pour refuser", ("window", "received"), FR),
    ("c'est quoi le délai ?", ("window",), FR),
    ("le delai c 1 mois ou 6 semaines ?", ("window",), FR),
    ("les 6 semaines commencent quand", ("window",), FR),
    ("how long do I have", ("window", "received"), EN),
    ("cb de tps pr dire non", ("window",), FR),
    ("calcule ma date limite", ("received",), FR),
    ("jusqu'a quand je peux refuser, j'ai recu le mail hier", ("date", "received", "window"), FR),
    ("j'ai reçu le courrier le 15 octobre", ("date",), FR),
    ("mail du 2/11", ("date",), FR),
    ("I got the email on 10 November", ("date",), EN),
    ("j'ai reçu la lettre il y a 3 semaines", ("date", "received", "window"), FR),
    # --- sources, figures, law
    ("d'ou viennent vos infos", ("sources",), FR),
    ("c'est quoi tes sources", ("sources",), FR),
    ("where does your info come from", ("sources",), EN),
    ("combien de gens ont refusé ?", ("figures",), FR),
    ("y a beaucoup de monde qui l'utilise ?", ("figures",), FR),
    ("how many people opted out", ("figures",), EN),
    ("les medecins vont etre obligés de remplir le dmp ?", ("law",), FR),
    ("c quoi la nouvelle loi sur le dossier médical", ("law",), FR),
    ("la loi 2026 change quoi", ("law",), FR),
    # --- outside what the sources say: the nearest page or "my sources do not answer"
    ("la police peut voir mon dossier", ("police",), FR),
    ("un juge peut demander mes données de santé ?", ("police",), FR),
    ("les flics ont acces ?", ("police",), FR),
    ("can the police access it", ("police",), EN),
    ("mes données vont au health data hub ?", ("research",), FR),
    ("ils vendent nos données aux labos ?", ("research", "never"), FR),
    ("c'est utilisé pour la recherche ?", ("research",), FR),
    ("is my data used for research", ("research",), EN),
    ("et si ca se fait pirater ?", ("leak",), FR),
    ("y'a eu des fuites ?", ("leak",), FR),
    ("les hackers peuvent voler mes infos ?", ("leak",), FR),
    ("je ne veux pas que mes infos soient piratées", ("leak", "debate"), FR),
    ("was there a data breach", ("leak",), EN),
    ("comment prendre rdv chez le médecin", ("out",), FR),
    ("ma mutuelle me rembourse quand ?", ("out",), FR),
    ("je trouve plus le carnet de santé papier de mon fils", ("out", "children"), FR),
    ("comment avoir une nouvelle carte vitale", ("out", "ready", "phone"), FR),
    ("quel temps fait il demain", ("out",), FR),
    ("c'est quoi le meilleur médecin à Lyon", ("out",), FR),
    ("ameli me rembourse pas mes lunettes", ("out",), FR),
    ("comment changer de médecin traitant", ("out", "doctor"), FR),
    ("combien coute une consultation", ("out",), FR),
    ("how do I book a doctor's appointment", ("out",), EN),
    # --- worried, rambling, very short
    ("j'ai peur que mon patron voie mes données", ("never",), FR),
    ("ça m'inquiète que l'etat ait toutes mes infos", ("debate", "research"), FR),
    ("c gratuit ?", ("phone", "what_is"), FR),
    ("pk g un dossier medical sans avoir demandé", ("what_is", "compulsory", "debate"), FR),
    ("jsp koi faire g recu 1 mail", ("what_is", "refuse", "window", "received"), FR),
    ("bonjour alors voila j'ai reçu un courrier de la secu il y a quelque temps qui parlait de mon "
     "espace santé et je l'ai mis de côté et maintenant je me demande si c'est trop tard pour dire non",
     ("missed", "window", "received"), FR),
    ("Bonjour, ma mère a 90 ans, elle n'a pas internet et elle ne veut pas de ce dossier, est-ce que "
     "je peux m'en occuper pour elle et comment ?", ("relative", "offline"), FR),
    ("salut en fait je comprends pas trop, si je garde le truc est ce que mon employeur ou ma mutuelle "
     "pourra voir mes arrêts maladie", ("never",), FR),
    ("j'ai des choses sensibles dans mon dossier et je voudrais savoir si je peux cacher certaines "
     "choses à certains médecins mais pas à d'autres", ("restrict", "access"), FR),
    ("mon mari et moi avons trois enfants et on voudrait refuser pour tous les trois, faut-il le faire "
     "une fois ou pour chacun", ("children",), FR),
    ("Hi, I received a letter about mon espace santé and I don't want it, what should I do?",
     ("refuse",), EN),
    ("mon numero de secu c 1 85 05 75 123 456 78 je peux refuser par telephone ?", ("phone",), FR),
    # --- greetings and thanks
    ("slt", ("greeting",), FR),
    ("Bonjour", ("greeting",), FR),
    ("bjr madame", ("greeting",), FR),
    ("hello", ("greeting",), EN),
    ("merci bcp", ("thanks",), FR),
    ("super merci", ("thanks",), FR),
    ("ok merci c'est clair", ("thanks",), FR),
    ("thx", ("thanks",), EN),
]

#: A second set, written after the first round of changes and never tuned against before its
#: first pass was recorded (see the module docstring): the honest measure of generalisation.
HELDOUT_2: list[tuple[str, tuple[str, ...], str]] = [
    ("bonjour je viens de recevoir un truc de l'assurance maladie sur un espace santé, c'est quoi ?",
     ("what_is", "received"), FR),
    ("c'est un nouveau site de la secu ?", ("what_is",), FR),
    ("explique moi mon espace santé en 2 mots", ("what_is",), FR),
    ("what exactly is mon espace sante", ("what_is",), EN),
    ("on met quoi dans ce dossier ?", ("contents",), FR),
    ("mes comptes rendus d'hospitalisation seront visibles dedans ?", ("contents",), FR),
    ("est-ce que mes ordonnances y sont", ("contents",), FR),
    ("does it include my prescriptions", ("contents",), EN),
    ("les infirmiers à domicile peuvent le consulter ?", ("access",), FR),
    ("un medecin que je connais pas peut lire mes resultats ?", ("access",), FR),
    ("tout le monde à l'hôpital peut regarder mon dossier ??", ("access",), FR),
    ("can any doctor read my file", ("access", "doctor"), EN),
    ("mon médecin de famille a accès à tout même si je cache", ("doctor",), FR),
    ("est-ce que je peux empêcher mon médecin traitant de voir certains documents", ("doctor", "restrict"), FR),
    ("si je fais un malaise dans la rue ils vont regarder mon dossier ?", ("emergency",), FR),
    ("je veux pas que le 15 voie mon dossier", ("emergency",), FR),
    ("can paramedics see my records", ("emergency",), EN),
    ("mon assurance habitation peut consulter ?", ("never",), FR),
    ("un employeur peut me demander de montrer mon espace santé lors d'un entretien d'embauche ?", ("never",), FR),
    ("ma complémentaire santé va voir mes maladies ?", ("never",), FR),
    ("can an insurance company ask for it", ("never",), EN),
    ("franchement ça vaut le coup de le garder ?", ("debate",), FR),
    ("c'est quoi les risques au juste", ("debate",), FR),
    ("pourquoi les assos disent de refuser", ("debate",), FR),
    ("what are the downsides", ("debate",), EN),
    ("j'ai le droit de ne pas l'avoir ?", ("compulsory",), FR),
    ("est-ce que je suis obligée d'avoir ce dossier", ("compulsory",), FR),
    ("do I have to accept", ("compulsory",), EN),
    ("je souhaite m'opposer à la création de mon espace santé", ("refuse",), FR),
    ("comment refuser ce truc", ("refuse",), FR),
    ("i want to refuse it", ("refuse",), EN),
    ("ça se fait en ligne ?", ("online",), FR),
    ("le lien pour refuser svp", ("online",), FR),
    ("je suis sur monespacesante.fr et je vois que activer", ("online",), FR),
    ("le 3422 est ouvert quand", ("phone",), FR),
    ("on peut les appeler le week-end ?", ("phone",), FR),
    ("ça coûte combien d'appeler", ("phone",), FR),
    ("what's the phone number", ("phone",), EN),
    ("j'ai jamais eu de code", ("lost_code",), FR),
    ("mon code provisoire ne fonctionne plus", ("lost_code",), FR),
    ("I can't find my code", ("lost_code",), EN),
    ("il faut quels documents pour s'opposer", ("ready",), FR),
    ("c'est où le numéro de série de la carte vitale", ("ready",), FR),
    ("comment être sûr que mon refus a été pris en compte", ("proof",), FR),
    ("est-ce qu'on reçoit un justificatif", ("proof",), FR),
    ("j'ai reçu un mail avec un lien bizarre pour mon espace santé", ("phishing",), FR),
    ("quelqu'un m'a téléphoné de l'assurance maladie pour mon code", ("phishing",), FR),
    ("is this email a scam", ("phishing",), EN),
    ("ma fille est sourde comment elle peut appeler", ("deaf", "children"), FR),
    ("mon espace santé a été ouvert alors que je voulais refuser", ("missed",), FR),
    ("j'ai dépassé les 6 semaines", ("missed",), FR),
    ("I missed the deadline", ("missed",), EN),
    ("comment je ferme mon espace", ("close",), FR),
    ("je veux résilier mon espace santé", ("close",), FR),
    ("I want to delete my account", ("close",), EN),
    ("mes données sont gardées combien de temps après la fermeture", ("data",), FR),
    ("est-ce que tout est effacé si je supprime", ("data", "close"), FR),
    ("et si je change d'avis après avoir refusé", ("reopen",), FR),
    ("on peut le réactiver après", ("reopen",), FR),
    ("comment masquer mes analyses", ("restrict",), FR),
    ("je veux bloquer un soignant", ("restrict",), FR),
    ("can I block a specific doctor", ("restrict", "doctor"), EN),
    ("mes enfants ont aussi un espace santé ?", ("children",), FR),
    ("comment s'opposer pour mon nourrisson", ("children",), FR),
    ("do my children get one too", ("children",), EN),
    ("ma fille a 17 ans elle pourra refuser elle même ?", ("adult18",), FR),
    ("ça se passe comment à la majorité", ("adult18",), FR),
    ("je suis séparée du père, est-ce qu'il peut refuser pour notre fille", ("two_parents",), FR),
    ("je suis militaire, c'est pareil pour moi ?", ("regimes",), FR),
    ("et pour les gens à la MSA ?", ("regimes",), FR),
    ("je depends pas de la cpam", ("regimes",), FR),
    ("mon fils est sous tutelle", ("protected",), FR),
    ("mon grand-père veut refuser mais il comprend pas", ("relative",), FR),
    ("comment aider ma mère âgée", ("relative",), FR),
    ("j'ai ni ordi ni smartphone", ("offline",), FR),
    ("on peut faire ça au guichet ?", ("offline",), FR),
    ("quel est le délai pour dire non", ("window",), FR),
    ("il reste combien de temps pour s'opposer", ("window", "received"), FR),
    ("6 semaines à partir de quand ?", ("window",), FR),
    ("what is the deadline", ("window", "received"), EN),
    ("le mail date du 5 novembre, je suis encore dans les temps ?", ("date",), FR),
    ("courrier reçu le 12/10/2026", ("date",), FR),
    ("je veux savoir ma date limite", ("received",), FR),
    ("vos infos elles sont fiables ou pas", ("sources",), FR),
    ("combien de personnes l'ont activé", ("figures",), FR),
    ("est-ce que la gendarmerie peut demander mon dossier", ("police",), FR),
    ("est-ce que mes données sont vendues", ("research",), FR),
    ("mes données servent à l'IA ?", ("research",), FR),
    ("c'est sécurisé ?", ("leak", "debate"), FR),
    ("est-ce que ça a déjà été piraté", ("leak",), FR),
    ("les médecins auront des amendes s'ils remplissent pas le dossier ?", ("law",), FR),
    ("comment faire renouveler mon ordonnance", ("out",), FR),
    ("quelle pharmacie est ouverte dimanche", ("out",), FR),
    ("je veux changer de mutuelle", ("out", "never"), FR),
    ("comment faire une demande de CMU", ("out",), FR),
    ("tu t'appelles comment", ("out",), FR),
    ("l'hôpital a perdu mon dossier papier", ("out",), FR),
    ("how do I get a new carte vitale", ("out",), EN),
    ("bonjour bonjour", ("greeting",), FR),
    ("merci pour les infos", ("thanks",), FR),
    ("hey", ("greeting",), EN),
    ("thank you so much", ("thanks",), EN),
    ("c payant ?", ("phone",), FR),
    ("et mes enfants", ("children",), FR),
    ("trop tard pr refuser ?", ("missed", "window"), FR),
    ("jpeux tjrs refuser ?", ("missed", "window", "refuse"), FR),
    ("kel num appeler", ("phone",), FR),
    ("pk refuser", ("debate",), FR),
    ("c sécurisé ?", ("leak", "debate"), FR),
]

DATE_OUTCOME = "date"


def _label_index(app) -> dict[str, dict[str, str]]:
    """Button label -> intent name, per locale (to read which topics were offered)."""
    out = {}
    for loc in (FR, EN):
        table = app.renderer.labels(loc)
        out[loc] = {table[f"questions.t_{n}"]: n for n in intents.INTENTS if f"questions.t_{n}" in table}
    return out


def _targets() -> dict[str, set[str]]:
    by_target: dict[str, set[str]] = {}
    for n, it in intents.INTENTS.items():
        by_target.setdefault(it.target, set()).add(n)
    by_target.setdefault("questions:window", set()).add("window")
    return by_target


async def run_heldout(tmp_path, rows=HELDOUT):
    """(question, expected, verdict, what happened) for each row; verdict is right/offered/wrong."""
    app, backend, _clock = make_app(tmp_path, now="2026-11-19T10:00:00+01:00")  # a Thursday
    labels = _label_index(app)
    by_target = _targets()
    results = []
    try:
        for i, (q, expected, loc) in enumerate(rows):
            chat = Chat(app, backend, user=f"h{i}", locale=loc)
            await chat.say(q)
            keys = [k for k in chat.keys if not k.startswith("core/privacy")]
            sess = app.store.get_session(f"{backend.name}:{chat.chat}:{chat.user}")
            where = f"{sess.flow}:{sess.state}" if sess else "?"
            if "questions/unsure" in keys:
                offered = {labels[loc].get(lb) for lb in chat.labels} - {None}
                ok = bool(offered & set(expected)) or expected == ("out",)
                results.append((q, expected, "offered" if ok else "wrong", f"offer {sorted(offered)}"))
                continue
            if "questions/outside" in keys:
                got = {"out"}
            elif "questions/greeting" in keys:
                got = {"greeting"}
            elif "questions/thanks" in keys:
                got = {"thanks"}
            elif any(k.startswith("deadline/") for k in keys):
                got = {DATE_OUTCOME, "received"}
            else:
                got = by_target.get(where, {where})
            verdict = "right" if got & set(expected) else "wrong"
            results.append((q, expected, verdict, f"{sorted(got)} {keys}"))
    finally:
        app.store.close()
    return results


def summary(results) -> dict[str, int]:
    out = {"right": 0, "offered": 0, "wrong": 0}
    for r in results:
        out[r[2]] += 1
    return out


def test_heldout_is_large_and_varied():
    assert len(HELDOUT) >= 150
    assert sum(1 for *_x, loc in HELDOUT if loc == EN) >= 25
    named = {e for _q, exp, _l in HELDOUT for e in exp}
    assert set(intents.INTENTS) <= named | {"others"}


def _report(name, results, capsys):
    s = summary(results)
    n = len(results)
    with capsys.disabled():
        print(f"\n{name}: {n} questions, right {s['right']} ({s['right'] / n:.0%}), "
              f"offered {s['offered']} ({s['offered'] / n:.0%}), wrong {s['wrong']} ({s['wrong'] / n:.0%})")
        for q, exp, v, what in results:
            if v == "wrong":
                print(f"  WRONG {q!r} expected {exp}: {what}")
    return s, n


def test_heldout_through_the_router(tmp_path, capsys):
    s, n = _report("held-out 1", asyncio.run(run_heldout(tmp_path)), capsys)
    assert s["right"] / n >= 0.88
    assert s["wrong"] / n <= 0.03  # a wrong page is worse than buttons


def test_second_heldout_through_the_router(tmp_path, capsys):
    assert len(HELDOUT_2) >= 100
    assert not ({q for q, *_r in HELDOUT_2} & {q for q, *_r in HELDOUT})
    s, n = _report("held-out 2", asyncio.run(run_heldout(tmp_path, HELDOUT_2)), capsys)
    assert s["right"] / n >= 0.78
    assert s["wrong"] / n <= 0.06


def test_examples_leave_one_out(capsys):
    """Each labelled example classified with itself removed from the neighbours."""
    from bot.intent_examples import EXAMPLES

    assert not ({q for q, _e in EXAMPLES} & {q for q, *_r in HELDOUT_2})  # the second set stays unseen
    right = offered = wrong = 0
    for i, (q, e) in enumerate(EXAMPLES):
        r = intents.classify(q, _skip=i)
        if (r.kind == "answer" and r.best == e) or (r.kind == "outside" and e == "outside"):
            right += 1
        elif r.kind == "offer" and (e in r.top or e == "outside"):
            offered += 1
        elif r.kind == "none" and e == "outside":
            right += 1
        else:
            wrong += 1
    n = len(EXAMPLES)
    with capsys.disabled():
        print(f"\nleave-one-out: {n} examples, right {right} ({right / n:.0%}), offered {offered}, wrong {wrong}")
    assert right / n >= 0.85 and wrong / n <= 0.03


def test_cost_per_question(capsys):
    import time

    qs = [q for q, *_r in HELDOUT + HELDOUT_2]
    qs = (qs * (1000 // len(qs) + 1))[:1000]
    intents.classify("warm up")
    t0 = time.perf_counter()
    for q in qs:
        intents._score.cache_clear()  # measure the real work, not the cache
        intents.classify(q)
    ms = (time.perf_counter() - t0) * 1000 / len(qs)
    with capsys.disabled():
        print(f"\nintents: {ms:.2f} ms per question (1,000 questions, no cache)")
    assert ms < 25  # generous: a shared 2-core machine; about 1 ms when idle


async def test_named_day_in_a_dateless_question(chat):
    await chat.say("le 3422 est ouvert samedi ?")
    assert chat.keys == ["refuse/phone"]


async def test_dated_message_the_deadline_flow_leaves_is_still_answered(chat):
    await chat.say("quel temps fera-t-il demain ?")
    assert chat.keys == ["questions/outside"]
    assert "ne répondent pas" in chat.text


async def test_off_topic_is_not_stretched_to_a_topic(chat):
    await chat.say("comment prendre rendez-vous chez le médecin ?")
    assert chat.keys == ["questions/outside"]
    await chat.say("ma mutuelle me rembourse pas mes lunettes")
    assert chat.keys == ["questions/outside"]


async def test_examples_and_keywords_disagree_so_buttons(chat):
    # keywords alone rescue nothing here; the examples recognise the question and offer it
    r = intents.classify("tout le monde à l'hôpital peut regarder mon dossier ??")
    assert r.kind in ("answer", "offer") and "access" in ([r.best] if r.kind == "answer" else r.top)
