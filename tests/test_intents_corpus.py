"""Real-style questions people type, with the topic that should answer them.

Written as people write: missing accents, typos, SMS spelling, no question mark."""

CORPUS = [
    # what is it
    ("c'est quoi mon espace santé ?", "what_is"),
    ("c koi mon espace sante", "what_is"),
    ("mon espace santé c'est quoi exactement", "what_is"),
    ("a quoi ca sert ce truc", "what_is"),
    ("qu'est-ce que le DMP ?", "what_is"),
    ("vous pouvez m'expliquer mon espace santé", "what_is"),
    ("je comprends rien a ce dossier medical", "what_is"),
    ("kesako mon espace santé", "what_is"),
    ("what is mon espace santé?", "what_is"),
    ("sa sert a quoi", "what_is"),
    # contents
    ("qu'est ce qu'il y a dedans ?", "contents"),
    ("il contient quoi ce dossier", "contents"),
    ("mes ordonnances sont dedans ?", "contents"),
    ("est ce que mes remboursements apparaissent", "contents"),
    ("quelles donnees sont stockees", "contents"),
    ("il y a quoi dans mon espace sante", "contents"),
    ("les resultats d'analyses sont mis dedans ?", "contents"),
    ("what does it contain", "contents"),
    ("c quoi le contenu", "contents"),
    # who can see
    ("qui peut voir mon dossier ?", "access"),
    ("qui a accès à mes données ?", "access"),
    ("le pharmacien peut lire mes documents ?", "access"),
    ("est-ce que tous les médecins voient tout", "access"),
    ("n'importe quel soignant peut consulter ?", "access"),
    ("mon kiné a accès ?", "access"),
    ("l'infirmière peut voir mes analyses ?", "access"),
    ("who can see my documents", "access"),
    ("ki peut voir mes donnees", "access"),
    # doctor
    ("mon médecin voit tout ?", "doctor"),
    ("mon medecin traitant peut voir les documents masqués ?", "doctor"),
    ("est ce que mon toubib verra tout", "doctor"),
    ("le generaliste a acces a tout ?", "doctor"),
    ("mon docteur peut tout voir meme si je cache", "doctor"),
    ("medcin traitent voit tout", "doctor"),
    ("can my GP see everything?", "doctor"),
    # emergency / history
    ("et en cas d'urgence ?", "emergency"),
    ("le samu peut ouvrir mon dossier ?", "emergency"),
    ("si j'ai un accident et que je suis inconscient", "emergency"),
    ("comment savoir qui a consulté mon dossier", "emergency"),
    ("y a un historique des acces ?", "emergency"),
    ("les pompiers ont accès ?", "emergency"),
    ("what happens in an emergency", "emergency"),
    ("urgense", "emergency"),
    # never
    ("mon assureur peut voir mon dossier ?", "never"),
    ("la mutuelle a accès ?", "never"),
    ("ma banque peut demander mon dossier pour un prêt ?", "never"),
    ("mon employeur peut le consulter ?", "never"),
    ("le medecin du travail voit mon espace sante ?", "never"),
    ("pour un credit immobilier ils peuvent exiger ?", "never"),
    ("mon patron peut savoir ?", "never"),
    ("can my insurer see it", "never"),
    ("l'assurance emprunteur peut demander l'acces", "never"),
    # debate
    ("pourquoi refuser ?", "debate"),
    ("est-ce dangereux ?", "debate"),
    ("vous me conseillez quoi ?", "debate"),
    ("c'est une bonne idée de le garder ?", "debate"),
    ("quels sont les risques", "debate"),
    ("avantages et inconvenients", "debate"),
    ("pour ou contre mon espace sante", "debate"),
    ("should I keep it?", "debate"),
    ("vaut mieux refuser ou garder", "debate"),
    ("c'est quoi l'interet", "debate"),
    # compulsory
    ("c'est obligatoire ?", "compulsory"),
    ("suis-je obligé de l'avoir", "compulsory"),
    ("on m'a créé un dossier sans mon accord", "compulsory"),
    ("c obligatoir", "compulsory"),
    ("j'ai le droit de refuser ?", "compulsory"),
    ("is it mandatory", "compulsory"),
    ("ils ont pas le droit de me forcer", "compulsory"),
    # refuse (how)
    ("comment refuser ?", "refuse"),
    ("je veux m'opposer", "refuse"),
    ("je n'en veux pas", "refuse"),
    ("comment je fais pour dire non", "refuse"),
    ("je veu pa de ce truc", "refuse"),
    ("how do I opt out", "refuse"),
    ("comment s'opposer a la creation", "refuse"),
    # online
    ("comment refuser en ligne", "online"),
    ("sur quel site je dois aller", "online"),
    ("il faut cliquer sur activer pour refuser ?", "online"),
    ("le bouton activer c'est bizarre", "online"),
    ("c'est sur monespacesante.fr ?", "online"),
    ("refuse online", "online"),
    # phone
    ("c payant d'appeler", "phone"),
    ("le 3422 c'est gratuit ?", "phone"),
    ("quels sont les horaires du 3422", "phone"),
    ("c'est ouvert le samedi ?", "phone"),
    ("je peux refuser par téléphone ?", "phone"),
    ("quel numero appeler", "phone"),
    ("ca coute combien l'appel", "phone"),
    ("c'est ouvert en ce moment ?", "phone"),
    ("a quelle heure je peux appeler", "phone"),
    ("what are the phone hours", "phone"),
    ("on peut les joindre un jour ferié ?", "phone"),
    ("tel 3422 horraires", "phone"),
    # lost code
    ("j'ai perdu mon code", "lost_code"),
    ("mon code provisoire a expiré", "lost_code"),
    ("le code est perimé", "lost_code"),
    ("j'ai jamais reçu le code", "lost_code"),
    ("comment avoir un nouveau code", "lost_code"),
    ("code plus valable que faire", "lost_code"),
    ("I lost my code", "lost_code"),
    ("g perdu le code", "lost_code"),
    # ready
    ("où trouver le numéro de série de la carte vitale", "ready"),
    ("c'est quoi le numero de serie", "ready"),
    ("qu'est-ce qu'il faut préparer ?", "ready"),
    ("de quoi j'ai besoin pour refuser", "ready"),
    ("ma carte vitale n'a pas de photo, le numéro est où", "ready"),
    ("what do I need", "ready"),
    # proof
    ("comment avoir une preuve de mon refus", "proof"),
    ("est-ce qu'on reçoit une confirmation", "proof"),
    ("je veux un justificatif", "proof"),
    ("comment savoir si ça a bien été pris en compte", "proof"),
    ("il y a un pdf a telecharger ?", "proof"),
    ("attestation de refus", "proof"),
    # phishing
    ("j'ai reçu un sms qui me demande mon code, c'est une arnaque ?", "phishing"),
    ("quelqu'un m'a appelé pour mon code", "phishing"),
    ("comment savoir si le mail est vrai ou faux", "phishing"),
    ("c'est du phishing ?", "phishing"),
    ("is this a scam", "phishing"),
    ("arnaqe mon espace sante", "phishing"),
    # deaf
    ("je suis sourd, comment faire ?", "deaf"),
    ("je suis malentendant", "deaf"),
    ("y a un service en langue des signes ?", "deaf"),
    ("I am deaf", "deaf"),
    # missed
    ("j'ai raté la date", "missed"),
    ("c'est trop tard ?", "missed"),
    ("j'ai loupé le délai", "missed"),
    ("mon espace a déjà été créé", "missed"),
    ("le delai est depassé que faire", "missed"),
    ("il existe deja", "missed"),
    ("too late to refuse?", "missed"),
    ("jai depasse la date limite", "missed"),
    # close
    ("comment fermer mon espace", "close"),
    ("je veux supprimer mon compte", "close"),
    ("comment clôturer", "close"),
    ("desactiver mon espace sante", "close"),
    ("je veux me desinscrire", "close"),
    ("how do I close it", "close"),
    ("fermé mon dossier", "close"),
    ("resilier mon espace santé", "close"),
    # data after closing
    ("mes données sont gardées 10 ans ?", "data"),
    ("que deviennent mes données si je ferme", "data"),
    ("les donnees sont archivées ?", "data"),
    ("je veux que tout soit effacé définitivement", "data"),
    ("suppression definitive des donnees", "data"),
    ("combien de temps sont conservées les données", "data"),
    # reopen
    ("je peux le rouvrir plus tard ?", "reopen"),
    ("et si je change d'avis ?", "reopen"),
    ("réactiver mon espace après l'avoir fermé", "reopen"),
    ("can I reopen it", "reopen"),
    ("annuler mon opposition", "reopen"),
    # restrict
    ("comment masquer un document", "restrict"),
    ("je veux bloquer un médecin", "restrict"),
    ("je peux cacher certaines infos ?", "restrict"),
    ("limiter l'accès à mon dossier", "restrict"),
    ("les paramètres de confidentialité", "restrict"),
    ("refuser les messages de prevention", "restrict"),
    ("how to hide a document", "restrict"),
    # children
    ("et pour mes enfants ?", "children"),
    ("mon fils a aussi un espace ?", "children"),
    ("je veux refuser pour mon bébé", "children"),
    ("ma fille de 10 ans", "children"),
    ("pour un nouveau né", "children"),
    ("what about my kids", "children"),
    ("mes gosses aussi ?", "children"),
    # 18
    ("que se passe-t-il à 18 ans ?", "adult18"),
    ("à sa majorité il pourra refuser ?", "adult18"),
    ("mon ado devient majeur", "adult18"),
    # two parents
    ("on est divorcés, qui reçoit le mail ?", "two_parents"),
    ("l'autre parent peut refuser ?", "two_parents"),
    ("garde alternée comment ça se passe", "two_parents"),
    ("les deux parents doivent refuser ?", "two_parents"),
    # regimes
    ("je suis à la MSA", "regimes"),
    ("je suis a la mgen c pareil ?", "regimes"),
    ("je suis agriculteur au régime agricole", "regimes"),
    ("je suis militaire, c'est pareil ?", "regimes"),
    ("je suis pas a la cpam", "regimes"),
    # protected
    ("je suis tuteur de mon frère", "protected"),
    ("ma mère est sous curatelle", "protected"),
    ("personne sous tutelle comment faire", "protected"),
    ("adulte protégé", "protected"),
    # relative
    ("je veux aider ma mère âgée", "relative"),
    ("je peux le faire pour ma grand-mère ?", "relative"),
    ("mon pere est en ehpad", "relative"),
    ("refuser à la place de mon mari", "relative"),
    ("for my elderly mother", "relative"),
    # offline
    ("je n'ai pas internet", "offline"),
    ("pas d'ordinateur comment faire", "offline"),
    ("je ne sais pas utiliser internet", "offline"),
    ("on peut le faire en personne ?", "offline"),
    ("france services peut m'aider ?", "offline"),
    ("pas de mail, pas d'internet", "offline"),
    # window
    ("combien de temps j'ai pour refuser ?", "window"),
    ("le délai c'est 6 semaines ?", "window"),
    ("jusqu'à quand je peux refuser", "window"),
    ("c'est un mois ou six semaines", "window"),
    ("le délai compte à partir de la réception ?", "window"),
    ("how long do I have", "window"),
    ("il me reste combien de temps", "window"),
    ("j'ai encore le temps ?", "window"),
    # received
    ("j'ai reçu un mail de l'assurance maladie", "received"),
    ("j'ai reçu un courrier, je fais quoi", "received"),
    ("c'est quoi ce mail mon espace santé", "received"),
    ("vous allez bénéficier de mon espace santé", "received"),
    ("I got an email", "received"),
    # sources
    ("quelles sont vos sources ?", "sources"),
    ("d'où viennent ces infos", "sources"),
    ("c'est fiable ce que vous dites ?", "sources"),
    # out of scope
    ("la police peut accéder à mon dossier ?", "police"),
    ("un juge peut demander mon dossier ?", "police"),
    ("les gendarmes ont accès ?", "police"),
    ("et les impots ?", "police"),
    ("mes données vont au Health Data Hub ?", "research"),
    ("ils vendent nos données ?", "research"),
    ("c'est utilisé pour la recherche ?", "research"),
    ("microsoft héberge mes données ?", "research"),
    ("et l'espace européen des données de santé", "research"),
    ("y a eu des fuites de données ?", "leak"),
    ("et si c'est piraté ?", "leak"),
    ("cyberattaque mon espace sante", "leak"),
    ("les médecins seront obligés de le remplir ?", "law"),
    ("la nouvelle loi de 2026", "law"),
    ("combien de gens ont refusé ?", "figures"),
    ("quel pourcentage des gens ont refusé", "figures"),
    ("je veux agir pour quelqu'un d'autre", "others"),
    # written later, as a held-out check, then kept
   ("bonjour je voudrais savoir ce que c'est que mon espace santé", "what_is"),
   ("j'ai entendu parler de mon espace santé, ça consiste en quoi", "what_is"),
   ("Est-ce que mes vaccins sont dans le dossier ?", "contents"),
   ("on y trouve quoi comme documents", "contents"),
   ("Les spécialistes que je consulte peuvent-ils lire mon dossier ?", "access"),
   ("un médecin que je ne connais pas peut il voir mes infos", "access"),
   ("mon médecin traitant peut il voir ce que j'ai caché", "doctor"),
   ("Je ne veux pas que mon généraliste voie tout", "doctor"),
   ("si je suis hospitalisé en urgence ils verront mon dossier ?", "emergency"),
   ("comment voir qui a regardé mes documents", "emergency"),
   ("mon assurance de prêt peut demander à voir mon dossier ?", "never"),
   ("est-ce que mon entreprise peut avoir accès", "never"),
   ("quels sont les dangers de mon espace santé", "debate"),
   ("je sais pas si je dois le garder", "debate"),
   ("je ne veux pas qu'on me l'impose", "compulsory"),
   ("suis je obligée d'accepter", "compulsory"),
   ("comment on fait pour s'opposer à mon espace santé", "refuse"),
   ("je refuse ce dossier", "refuse"),
   ("je dois aller sur quel site pour refuser", "online"),
   ("Pourquoi faut-il cliquer sur activer si je veux refuser ?", "online"),
   ("le numéro de téléphone pour refuser c'est lequel", "phone"),
   ("appeler le 3422 c'est surtaxé ?", "phone"),
   ("Ils sont ouverts jusqu'à quelle heure ?", "phone"),
   ("mon code ne marche plus", "lost_code"),
   ("Je n'ai jamais reçu de code provisoire", "lost_code"),
   ("où est le numéro de série sur ma carte vitale", "ready"),
   ("qu'est-ce que je dois avoir pour m'opposer", "ready"),
   ("comment être sûr que mon refus a été enregistré", "proof"),
   ("je voudrais une attestation", "proof"),
   ("j'ai reçu un SMS bizarre avec un lien", "phishing"),
   ("on m'a téléphoné pour me demander mon numéro de sécu", "phishing"),
   ("je suis malentendante comment contacter", "deaf"),
   ("j'ai oublié de refuser à temps", "missed"),
   ("mon espace a été ouvert automatiquement, que faire", "missed"),
   ("je veux supprimer mon espace santé", "close"),
   ("comment clôturer mon dossier médical", "close"),
   ("est-ce que mes données seront effacées si je ferme ?", "data"),
   ("ils gardent mes données combien de temps après la clôture", "data"),
   ("après avoir refusé je peux changer d'avis ?", "reopen"),
   ("comment bloquer l'accès à un professionnel", "restrict"),
   ("masquer mes résultats d'analyse", "restrict"),
   ("mon enfant a-t-il un espace santé", "children"),
   ("je viens d'accoucher, il y a un espace pour le bébé ?", "children"),
   ("quand mon fils aura 18 ans", "adult18"),
   ("mon ex-mari peut-il refuser pour notre fille", "two_parents"),
   ("je dépends de la MSA, c'est la même chose ?", "regimes"),
   ("je suis fonctionnaire, qui m'envoie le mail", "regimes"),
   ("je suis curatrice de ma soeur", "protected"),
   ("ma grand mère n'a pas d'ordinateur, je peux refuser pour elle", "relative"),
   ("je n'ai pas d'adresse mail", "offline"),
   ("je suis pas douée avec internet", "offline"),
   ("les 6 semaines commencent quand ?", "window"),
   ("j'ai combien de temps pour dire non", "window"),
   ("j'ai reçu une lettre de la sécu pour mon espace santé", "received"),
   ("d'où tenez-vous ces informations", "sources"),
   ("la justice peut saisir mon dossier médical ?", "police"),
   ("les labos pharmaceutiques auront mes données ?", "research"),
   ("mes données sont-elles vendues ?", "research"),
   ("est-ce que c'est bien sécurisé ?", "leak"),
   ("combien de français ont refusé", "figures"),
   ("c'est quoi ce dossier médical en ligne", "what_is"),
   ("a quoi sert mon espace santé exactement", "what_is"),
   ("mes comptes rendus d'hospitalisation vont dedans ?", "contents"),
   ("est ce que les soignants peuvent voir mon dossier sans me demander", "access"),
   ("le dentiste aura accès à tout ?", "access"),
   ("mon medecin traitant aura acces a mes documents caches ?", "doctor"),
   ("en cas d'accident grave le samu verra mes donnees ?", "emergency"),
   ("les assurances peuvent-elles consulter mon dossier ?", "never"),
   ("mon employeur va savoir que je suis malade ?", "never"),
   ("c'est risqué de garder mon espace santé ?", "debate"),
   ("pourquoi des gens refusent", "debate"),
   ("on est obligé d'avoir mon espace santé ?", "compulsory"),
   ("je veux refuser mon espace santé", "refuse"),
   ("comment faire opposition", "refuse"),
   ("refuser via internet", "online"),
   ("quelle adresse internet pour refuser", "online"),
   ("le 3422 est ouvert le dimanche ?", "phone"),
   ("combien coute l'appel au 3422", "phone"),
   ("mon code provisoire ne fonctionne pas", "lost_code"),
   ("le code du courrier est expiré", "lost_code"),
   ("il est où le numéro de série", "ready"),
   ("qu'est ce qu'il me faut pour refuser", "ready"),
   ("j'ai besoin d'une preuve que j'ai refusé", "proof"),
   ("un faux site mon espace sante ?", "phishing"),
   ("est ce que ce mail est une arnaque", "phishing"),
   ("service pour les sourds", "deaf"),
   ("le délai est passé, je fais comment ?", "missed"),
   ("je n'ai pas refusé à temps", "missed"),
   ("fermer mon compte mon espace santé", "close"),
   ("je veux effacer toutes mes données", "data"),
   ("on peut revenir en arrière après avoir refusé ?", "reopen"),
   ("comment cacher un document à un médecin", "restrict"),
   ("refuser pour ma fille", "children"),
   ("mes enfants ont un espace santé ?", "children"),
   ("ma fille va avoir 18 ans", "adult18"),
   ("je suis séparée du père, qui décide ?", "two_parents"),
   ("je suis à la MGEN", "regimes"),
   ("mon frère est sous tutelle", "protected"),
   ("je veux aider mon père de 85 ans", "relative"),
   ("je n'ai pas d'ordinateur ni de smartphone", "offline"),
   ("quel est le délai pour s'opposer", "window"),
   ("j'ai reçu un courrier de l'assurance maladie", "received"),
   ("vos infos sont fiables ?", "sources"),
   ("la police peut consulter mon espace santé ?", "police"),
   ("est-ce que mes données servent à la recherche médicale", "research"),
   ("a-t-il déjà été piraté ?", "leak"),
   ("combien de personnes ont activé mon espace santé", "figures"),
]

# Messages that are not questions for this bot: nothing should be answered.
NOISE = [
    "xqzw ?? ##",
    "ok",
    "3",
    "asdfgh",
    "lol",
    "...",
    "?",
]

THANKS = ["merci", "merci beaucoup", "Merci !", "thanks", "mercii"]

GREETINGS = ["bonjour", "Bonjour !", "salut", "hello", "coucou", "bjr", "slt", "bonsoir", "Salut le bot", "hello there"]


# --- tests ------------------------------------------------------------------------------------
from bot import intents  # noqa: E402


def test_corpus_is_large_and_covers_every_intent():
    assert len(CORPUS) >= 150
    assert {e for _q, e in CORPUS} == set(intents.INTENTS)


def test_corpus_answers(capsys):
    answered = offered = 0
    misses = []
    for q, exp in CORPUS:
        r = intents.classify(q)
        if r.kind == "answer" and r.best == exp:
            answered += 1
        elif r.kind == "offer" and exp in r.top:
            offered += 1
        else:
            misses.append((q, exp, r.kind, r.scores[:3], intents.explain(q)))
    with capsys.disabled():
        print(f"\nintents: {len(CORPUS)} questions, answered right {answered} ({answered / len(CORPUS):.0%}), "
              f"offered among buttons {offered}, wrong {len(misses)}")
    assert not misses, misses
    assert answered / len(CORPUS) >= 0.95


def test_noise_is_not_answered():
    for q in NOISE:
        assert intents.classify(q).kind == "none", q


def test_greetings_and_thanks():
    for q in GREETINGS:
        assert intents.classify(q).kind == "greeting", q
    for q in THANKS:
        assert intents.classify(q).kind == "thanks", q
    # a greeting followed by a question answers the question
    r = intents.classify("bonjour, mon médecin voit tout ?")
    assert (r.kind, r.best) == ("answer", "doctor")
