"""Offline recognition of free-text questions ("mon médecin voit tout ?", "c payant d'appeler").

No external service: the text is folded (no accents, lower case), SMS spellings are
expanded, then every intent scores the weighted keywords it finds.  A keyword is a
short phrase of word *stems*; a word matches a stem exactly, by prefix (``stem*``) or
with one or two typos (Levenshtein distance, for longer words).  Phrases allow a
couple of words in between ("voit pas tout" still matches "voit tout").

:func:`classify` returns the best intents with their scores; the caller decides:
a clear winner is answered, a close call offers two or three topics as buttons.
The keyword lists are data, not code: add a word where people phrase things differently.

Also: SMS spellings and English contractions are expanded, words match by a light French stem,
a precise page beats the broader page it belongs to (``SUBTOPIC``), off-topic words
(``OUTSIDE``: appointments, refunds of care, the weather...) lead to "my sources do not answer"
or to buttons rather than to a stretched topic, and a nearest-neighbour vote over labelled
examples (bot/intent_examples.py) confirms the keyword answer, turns a disagreement into
buttons, or offers topics when no keyword matched.  About 1 ms per message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .textnorm import fold

# --- normalisation -----------------------------------------------------------------------

SMS = {
    "c": "c est", "cest": "c est", "jai": "j ai", "g": "j ai", "jsuis": "je suis",
    "veu": "veux", "chui": "je suis", "chuis": "je suis", "jsui": "je suis", "pk": "pourquoi", "pq": "pourquoi",
    "pkoi": "pourquoi", "pourkoi": "pourquoi", "koi": "quoi", "kwa": "quoi", "kan": "quand", "kand": "quand",
    "qd": "quand", "ki": "qui", "ke": "que", "kel": "quel", "kelle": "quelle", "tt": "tout", "tte": "toute",
    "ts": "tous", "mn": "mon", "pr": "pour", "ds": "dans", "vs": "vous", "ns": "nous", "ya": "il y a",
    "bjr": "bonjour", "bsr": "bonsoir", "slt": "salut", "cc": "coucou", "mtn": "maintenant", "mnt": "maintenant",
    "qqn": "quelqu un", "qqun": "quelqu un", "qqch": "quelque chose", "tel": "telephone", "tph": "telephone",
    "num": "numero", "toubib": "medecin", "docteur": "medecin", "mdc": "medecin", "generaliste": "medecin traitant", "oblig": "obligatoire",
    "dacc": "d accord", "dac": "d accord", "bcp": "beaucoup", "mm": "meme", "pa": "pas",
    "msg": "message", "mails": "mail", "email": "mail", "emails": "mail",
    "courriel": "mail", "mel": "mail", "appli": "application", "app": "application",
    "infos": "informations", "info": "information", "rdv": "rendez vous", "svp": "", "stp": "", "plz": "",
    "please": "", "wesh": "salut", "bonjours": "bonjour", "bonjoure": "bonjour", "re": "", "ptdr": "",
    "secu": "securitesociale", "ss": "securitesociale", "paye": "payant", "payer": "payant", "dossie": "dossier",
    # more chat spellings
    "cb": "combien", "cmb": "combien", "tps": "temps", "jsp": "je sais pas", "chepa": "je sais pas",
    "chaispas": "je sais pas", "jsais": "je sais", "cmt": "comment", "cmnt": "comment", "komen": "comment",
    "koman": "comment", "pcq": "parce que", "pck": "parce que", "psk": "parce que", "pq": "pourquoi",
    "auj": "aujourd hui", "ajd": "aujourd hui", "ajrd": "aujourd hui", "ordi": "ordinateur", "pc": "ordinateur",
    "bb": "bebe", "vrmt": "vraiment", "vrm": "vraiment", "pb": "probleme", "pbm": "probleme", "tjrs": "toujours",
    "tjs": "toujours", "dsl": "desole", "avc": "avec", "ske": "ce que", "ptet": "peut etre",
    "nn": "non", "ui": "oui", "mrc": "merci", "mci": "merci", "tkt": "", "stv": "", "wsh": "salut",
    "telephoner": "telephone", "keuf": "police", "keufs": "police",
    "flic": "police", "flics": "police", "gendarmes": "gendarmerie", "daron": "pere", "daronne": "mere",
    "aujourdhui": "aujourd hui", "quesque": "qu est ce que", "kesk": "qu est ce que", "keske": "qu est ce que",
    "esque": "est ce que", "eske": "est ce que",
}
#: English contractions once apostrophes are gone ("what's" -> what s -> what is)
_PAIRS = {("what", "s"): ("what", "is"), ("it", "s"): ("it", "is"), ("i", "m"): ("i", "am"),
          ("that", "s"): ("that", "is"), ("who", "s"): ("who", "is"), ("where", "s"): ("where", "is"),
          ("how", "s"): ("how", "is"), ("there", "s"): ("there", "is"), ("i", "ve"): ("i", "have")}
#: SMS-style "j" glued to a verb: jveux, jpeux, jcomprends, jsuis
_J_VERBS = {"veux", "peux", "comprends", "comprend", "sais", "suis", "dois", "vais", "fais", "voudrais", "trouve",
            "arrive", "recois", "recu", "ai", "habite", "pense", "crois", "aimerais", "refuse", "oppose"}
_REPEAT = re.compile(r"([a-z])\1{2,}")
_SPLIT = re.compile(r"[^a-z0-9]+")
_EMAIL = re.compile(r"\be[ -]?mail")


def normalise(text: str) -> list[str]:
    """Folded tokens with SMS spellings expanded ("c payant" -> c est payant)."""
    t = fold(text or "")
    t = _EMAIL.sub("mail", t).replace("securite sociale", "securitesociale")
    t = _REPEAT.sub(r"\1", t)  # "merciii", "svppp"
    toks = [w for w in _SPLIT.split(t) if w]
    out: list[str] = []
    for w in toks:
        rep = SMS.get(w)
        if rep is None and len(w) > 3 and w[0] == "j" and w[1] not in "aeiouy" and w[1:] in _J_VERBS:
            rep = "je " + w[1:]
        if rep is None:
            out.append(w)
        elif rep:
            out.extend(rep.split())
    for i in range(len(out) - 1):
        pair = _PAIRS.get((out[i], out[i + 1]))
        if pair:
            out[i], out[i + 1] = pair
    # "c'est" gives "c est" and the SMS "c" gives "c est" too: drop doubled words
    return [w for i, w in enumerate(out) if i == 0 or w != out[i - 1]]


# --- keyword matching ------------------------------------------------------------------------


def _tol(n: int) -> int:
    """Typos allowed for a word of n letters (short words must be exact)."""
    return 0 if n < 6 else 1 if n < 9 else 2


_ENDINGS = ("issements", "issement", "ements", "ement", "ations", "ation", "ables", "able", "ees", "ee", "es",
            "er", "ez", "ent", "ais", "ait", "is", "it", "e", "s", "x")


@lru_cache(maxsize=8192)
def _root(word: str) -> str:
    """A light French stem: "effacees", "efface", "effacer" -> "effac" (four letters kept at least)."""
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 4:
            return word[: -len(end)]
    return word


def _word_match(tok: str, stem: str) -> bool:
    if stem.startswith("="):
        return tok == stem[1:]
    if not stem.endswith("*") and len(stem) >= 4 and not stem.isdigit() and _root(tok) == _root(stem):
        return True
    fuzzy_ok = tok not in KNOWN  # a real word of another key is never read as a typo of this one
    if stem.endswith("*"):
        s = stem[:-1]
        if tok.startswith(s):
            return True
        tol = _tol(len(s))
        if fuzzy_ok and tol and len(tok) >= len(s) - 1 and tok[0] == s[0]:
            return min(Levenshtein.distance(tok[:n], s) for n in (len(s), len(s) + 1)) <= tol
        return False
    if tok == stem or tok in (stem + "s", stem + "e", stem + "es", stem + "x"):
        return True
    if stem.isdigit() or tok.isdigit() or not fuzzy_ok:
        return False
    tol = _tol(len(stem))
    return (bool(tol) and tok[0] == stem[0] and abs(len(tok) - len(stem)) <= tol
            and Levenshtein.distance(tok, stem) <= tol)


class _Tokens:
    """One message's tokens, with the positions each key word matches computed once.

    Every way a word can match a key word (exact, plural, stem, prefix, typo) keeps the first
    letter, so a key word is only compared with the tokens that start with its letter."""

    __slots__ = ("toks", "_by_letter", "_memo")

    def __init__(self, toks: list[str]):
        self.toks = toks
        self._by_letter: dict[str, list[tuple[int, str]]] = {}
        for i, t in enumerate(toks):
            self._by_letter.setdefault(t[0], []).append((i, t))
        self._memo: dict[str, tuple[int, ...]] = {}

    def positions(self, stem: str) -> tuple[int, ...]:
        r = self._memo.get(stem)
        if r is None:
            first = stem[1] if stem[0] == "=" else stem[0]
            r = self._memo[stem] = tuple(i for i, t in self._by_letter.get(first, ()) if _word_match(t, stem))
        return r


def _phrase_at(toks, words: tuple[str, ...], used: set[int] | None = None) -> bool:
    """All words in order, each at most three positions after the previous one.

    A key may not reuse a word ``used`` by a stronger key of the same intent (so
    "medecin traitant" and "medecin" do not count twice)."""
    if not isinstance(toks, _Tokens):
        toks = _Tokens(list(toks))
    used = used if used is not None else set()
    for i in toks.positions(words[0]):
        if i in used:
            continue
        hit, pos = [i], i
        for w in words[1:]:
            nxt = next((j for j in toks.positions(w) if pos < j < pos + 4 and j not in used), None)
            if nxt is None:
                break
            pos = nxt
            hit.append(nxt)
        if len(hit) == len(words):
            used.update(hit)
            return True
    return False


@dataclass(frozen=True)
class Intent:
    name: str
    target: str                                   # "flow:state" that answers it
    keys: tuple[tuple[tuple[str, ...], float], ...]
    generic: float = 1.0                          # < 1: a broad topic that yields to a precise one


def _parse(spec: str) -> tuple[tuple[tuple[str, ...], float], ...]:
    """'medecin traitant:3 | docteur | voit tout:2' -> ((('medecin','traitant'),3.0), ...)."""
    out = []
    for part in spec.split("|"):
        part = part.strip()
        if not part:
            continue
        w = 1.0
        if ":" in part:
            part, weight = part.rsplit(":", 1)
            w = float(weight)
        out.append((tuple(part.split()), w))
    return tuple(out)


# Each line: intent name, target state, weighted keywords (French first, then English).
_TABLE = [
    ("what_is", "understand:start",
     "c est quoi:2 | qu est ce:2 | a quoi sert:2.5 | sert a quoi:2.5 | ca sert:1.5 | explique*:1.5 | comprend*:1.5"
     " | definition:2 | kesako:2.5 | ce que c est:2.5 | consiste:2.5 | en quoi:1 | fonctionne*:1.5 | ca marche comment:2.5 | quoi:0.5 | mon espace sante:1 | espace sante:0.5 | dmp:0.8"
     " | dossier medical:1 | what is:2.5 | explain:2 | what does:1 | mean:1 | carnet de sante:1.5 | nouveau dossier:1.5 | what is this:3 | what is it:3 | ce truc:1 | tell me about:2 | c est quoi ce truc:3 | dossier medical en ligne:3 | dossier en ligne:2.5 | espace en ligne:2.5 | carnet de sante numerique:3 | nouveau site:2.5 | nouveau service:2.5 | nouveau truc:2"),
    ("contents", "understand:contents",
     "contien*:2.5 | contenu:2.5 | dedans:2.5 | vaccin*:2.5 | on y trouve:2.5 | trouve quoi:2.5 | dans le dossier:1.5 | dans mon dossier:1.5 | apparai*:2 | figure*:1 | documents:0.8 | y a quoi:2 | il y a quoi:2.5 | stock*:1.5 | ordonnance*:1.5"
     " | rembours*:2.5 | analyse*:1 | resultat*:1 | radio*:1 | prevention:1 | messagerie:1.5 | agenda:1.5"
     " | quelles donnees:2 | quelles informations:2 | met dedans:2 | mis dedans:2 | directives anticipees:2"
     " | compte rendu:1 | hold:1.5 | contain*:2.5 | inside:2 | what data:2 | dessus:2 | prise* de sang:2 | examen*:1.5 | antecedent*:2.5 | store*:2 | what information:2 | in it:0.5 | vaccination*:2.5 | allergie*:2 | traitement*:1 | historique medical:2 | met quoi:3 | mettre quoi:2.5 | on met:1.5 | include*:2.5 | prescription*:2 | what is in it:3"),
    ("access", "understand:access",
     "qui peut voir:3 | qui voit:3 | qui a acces:3 | qui peut lire:3 | qui peut consulter:3 | acces*:1.2"
     " | voir:0.5 | consult*:1 | pharmacien*:2 | infirmi*:2 | kine*:1.5 | soignant*:1 | professionnel*:1"
     " | specialiste*:1.5 | dentiste:1.5 | hopital:1 | lire mes:1.5 | mes donnees:0.5 | tous les medecins:2.5"
     " | n importe quel:2 | connais pas:2.5 | autres medecins:2.5 | peut il voir:2 | peuvent voir:2 | peut voir:2 | voir mes:1.5 | n importe qui:2 | who can see:3 | who sees:3 | access:1.5 | nurse:1.5 | pharmacist:1.5 | who has access:3 | has access:2 | records:1 | mon accord:2 | besoin de mon accord:3 | autorisation:1.5 | permission:2 | voit tout:1 | sage femme:2 | osteo*:2 | psy*:1.5 | labo* d analyse*:2 | radiologue*:2 | ophtalmo*:2 | chirurgien*:2 | docteurs:1 | tout le monde:2 | peut regarder:2 | regarder mon dossier:2.5 | read my:2 | can any:1.5"),
    ("doctor", "understand:doctor",
     "medecin traitant:3.5 | traitant:2.5 | mon medecin:2 | medecin:1.5 | voit tout:2 | verra tout:2 | voir tout:2 | tout voir:2 | tout voit:2 | =gp:3 | my gp:3 | hidden:1.5"
     " | see everything:2 | my doctor:2.5 | doctor:1.5 | family doctor:3 | even masked:2 | meme masque*:2 | masque*:1.2 | cache*:1.0"),
    ("emergency", "understand:emergency",
     "urgence*:3 | urgent:2 | samu:3 | =15:1.5 | accident*:1.5 | inconscient*:2.5 | pompier*:3"
     " | historique:3 | qui a consulte:3 | trace*:2 | qui a regarde:3 | qui a ouvert:2.5 | qui a vu:3"
     " | emergenc*:3 | ambulance:2 | history:2 | who looked:3 | log:1 | malaise:2.5 | evanoui*:2.5 | coma:2.5 | paramedic*:3 | secouriste*:2.5 | =112:2"),
    ("never", "understand:never",
     "assureur*:3 | mutuelle*:3 | banque*:3 | banquier*:3 | credit:2 | pret immobilier:3 | emprunt*:2"
     " | exiger:1.5 | immobilier:2 | entreprise*:3 | employeur*:3 | patron*:2.5 | medecin du travail:3.5 | =rh:2 | assurance vie:3 | assurance pret:3"
     " | assurance emprunteur:3 | recruteur*:2.5 | travail:1 | boulot:1.5 | =assurances:3 | =assureurs:3 | insurer*:3 | insurance:2.5 | bank*:3"
     " | employer*:3 | boss:2 | job:1.5 | complementaire:3 | complementaire sante:3.5 | prevoyance:3 | insurance company:3"),
    ("debate", "understand:debate",
     "pourquoi refus*:3 | pourquoi s oppos*:3 | gens refus*:2 | pourquoi:1 | danger*:2.5 | risque*:2.5 | avis:2 | conseill*:1.5"
     " | dois je:1.5 | faut il:1.5 | vaut mieux:2 | bonne idee:2.5 | interet:3 | avantage*:2.5 | inconvenient*:2.5"
     " | confiance:1.5 | dois le garder:3 | garder:1.5 | sais pas si:2 | hesite*:3 | bien ou pas:3 | quadrature:3 | critique*:2 | pour ou contre:3 | garder ou refuser:3 | refuser ou garder:3"
     " | a quoi bon:2.5 | utile*:1.5 | should i:2.5 | worth:2 | risk*:2 | why refuse:3 | pros:2 | cons:2"
     " | vous me conseillez:3 | que faire:0.5 | est ce grave:2 | good idea:2.5 | keep it:1.5 | is it safe:2.5 | safe:1.5 | worth it:2.5 | inquiet*:2 | peur:1.5 | big brother:3 | fichage:3 | fiche*:1.5 | vie privee:2 | privacy:2 | recommand*:2 | bien ou mal:3 | bonne chose:2.5 | mauvaise idee:2.5 | pour quoi faire:2 | downside*:3 | drawback*:3 | disadvantage*:3 | upside*:2 | benefit*:2 | advantage*:2.5"),
    ("compulsory", "understand:choice",
     "obligatoire:3.5 | oblige*:3 | obligation:2.5 | force*:1.5 | forcer:3 | impose*:3 | accepter:1.5 | pas le droit:2 | pas le choix:3 | droit de refuser:3"
     " | consentement:2 | sans mon accord:3 | sans accord:2.5 | sans demander:2.5 | sans me demander:3"
     " | on peut refuser:2 | peut on refuser:2 | je peux refuser:1.5 | compulsory:3.5 | mandatory:3.5 | have to:1.5"
     " | must i:2 | without my consent:3"),
    ("refuse", "refuse:start",
     "refus*:2.5 | oppos*:2.5 | dire non:2.5 | veux pas:2.5 | en veux pas:2.5 | comment faire:1 | comment:0.5"
     " | desinscri*:1 | object*:2 | opt out:3 | say no:2.5 | don t want:2 | dit non:2.5 | dis non:2.5 | pas d accord:2 | opposition:2.5 | refuse it:2.5 | not want:2 | do not want:2.5"),
    ("online", "refuse:online",
     "en ligne:3 | site:2.5 | internet:2.5 | via internet:3 | par internet:3 | adresse internet:3 | monespacesante:3 | activer:2.5 | bouton:2 | cliqu*:1.5 | formulaire:1.5"
     " | etape*:1.5 | application:1 | connect*:1 | ordinateur:1 | online:3 | website:3 | button:2 | steps:1.5 | lien pour:2.5 | le lien:2 | url:2.5 | link:2"),
    ("phone", "refuse:phone",
     "=3422:4 | telephone:2.5 | appel*:2.5 | numero de telephone:3 | horaire*:3 | heure*:2 | ouvert aujourd:3"
     " | payant:3.5 | gratuit:3.5 | prix:2.5 | cout*:2.5 | combien ca coute:3.5 | joindre:2 | samedi:2.5"
     " | dimanche:2.5 | ferie*:2.5 | conseiller:1.5 | standard:1.5 | call:2.5 | phone:2.5 | opening hours:3"
     " | free:2 | cost*:2.5 | c est ouvert:2.5 | quelle heure:3 | est ouvert:2 | en ce moment:1 | numero pour:3 | quel numero:3 | numero a appeler:3.5 | numero d appel:3 | le numero:1.5 | appeler:2.5 | tarif*:2 | ferme a quelle:3 | ferme quand:3 | telephone:1"),
    ("lost_code", "refuse:code",
     "code:1.5 | perdu:2 | code ne marche:3 | code marche pas:3 | marche plus:2 | fonctionne pas:2 | erreur:2 | perte:2 | expir*:2.5 | perime*:2.5 | plus valable:2.5 | nouveau code:3"
     " | pas recu le code:3 | jamais recu:2 | pas recu:1.5 | oublie*:1.5 | generer:2 | invalide:2 | lost:2"
     " | expired:2.5 | new code:3 | never arrived:2.5 | jamais arrive*:2.5 | retrouve* pas:1.5 | supprim* mail:3 | effac* mail:3 | supprim* courrier:3 | jete*:2 | perdu le mail:3 | perdu la lettre:3 | perdu le courrier:3 | retrouve plus:2.5 | plus le mail:2.5 | never received:2.5 | not received:2"),
    ("ready", "refuse:ready",
     "numero de serie:3.5 | serie:2.5 | vitale:1.5 | carte:1 | prepar*:2.5 | besoin de quoi:2.5 | faut quoi:2"
     " | il faut quoi:2.5 | il me faut:2.5 | me faut:2 | dois avoir:2.5 | faut il avoir:2.5 | ou trouver:1.5 | ou se trouve:1.5 | photo:1.5 | dos de la carte:2.5 | avoir sous la main:3"
     " | de quoi ai je besoin:3 | de quoi j ai besoin:3 | serial:3 | what do i need:3 | need:1 | il faut quel*:2.5 | quels papiers:3 | quels documents:2.5"),
    ("proof", "refuse:proof",
     "preuve*:3 | justificatif*:3 | attestation*:3 | confirmation*:2.5 | capture*:2.5 | pdf:2.5"
     " | pris en compte:3 | enregistre*:2.5 | etre sur:2 | etre certain:2 | comment savoir si:2 | ca a marche:2.5 | bien marche:2 | accuse de reception:3"
     " | proof:3 | receipt:2.5 | confirm*:2 | bien enregistre*:2.5 | bien oppose*:2"),
    ("phishing", "refuse:phishing",
     "arnaque*:3.5 | phishing:3.5 | hameconnage:3.5 | faux site:3.5 | faux:2.5 | fraude*:2.5 | escroq*:3 | sms:1.5 | suspect*:2.5"
     " | vrai mail:3 | bizarre:2.5 | m a telephone:3 | demander mon:2 | officiel:1.5 | piege*:2 | lien:1 | demande mon code:3 | on m a appele:3 | m a appele:4 | appel* code:2 | sms code:2 | message code:2"
     " | scam*:3.5 | fake:3 | fraud*:3 | vrai ou faux:3 | vraiment l assurance maladie:2.5 | text*:1.5 | texted:2.5 | asking for my:2.5 | ask* code:2.5 | someone called:3 | ask* my code:3 | legit*:2.5 | genuine:2"),
    ("deaf", "refuse:deaf",
     "sourd:4 | malentendant*:4 | entend* mal:3 | entend* pas:2.5 | video:2 | langue des signes:4 | =lsf:4"
     " | visio*:2.5 | audition:2 | deaf:4 | hard of hearing:4 | sign language:4"),
    ("missed", "after:start",
     "trop tard:3.5 | rate:2.5 | loupe:2.5 | depasse*:2.5 | oublie de:1.5 | oublie* refus*:3 | a temps:2 | ouvert automatiquement:3 | automatiquement:1.5 | deja cree:3 | deja ouvert:3"
     " | existe deja:3 | deja:1.2 | apres la date:3 | delai depasse:3.5 | plus possible:2 | ouvert sans:2"
     " | a ete cree:2.5 | a ete ouvert:2.5 | cree automatiquement:2 | passe la date:3 | date passee:3 | hors delai:3.5"
     " | delai* passe:3.5 | est passe:2 | refus* a temps:3 | rate* delai:4 | rate* date:4 | loupe* delai:4 | loupe* date:4 | depasse* date:4 | too late:3.5 | missed:3 | already exists:3 | already:1.5 | deadline passed:3.5 | laiss* passer:3.5 | c est mort:3 | mort:1.5 | fichu:2.5 | foutu:2.5 | encore refuser:2.5 | encore possible:2.5 | peut encore:2 | still:1.5 | can i still:3 | too late:3.5 | passed:2 | expire* delai:3 | fin du delai:3"),
    ("close", "after:close",
     "fermer:3 | ferme*:2.5 | clotur*:3.5 | supprim*:2.5 | effac*:1.5 | desactiv*:2.5 | desinscri*:2.5"
     " | resilier:3 | desabonn*:2.5 | quitter:2 | detruire:2 | enlever:1.5 | se retirer:2 | me retirer:2.5"
     " | close:3 | delete:2.5 | remove:2 | deactivate:3 | cancel:1.5"),
    ("data", "after:data",
     "donnees:0.8 | archiv*:3.5 | =10 ans:2 | que deviennent:3 | si je ferme:2 | mes donnees:1.5 | gardent:2 | combien de temps apres:3 | apres la cloture:3 | seront effac*:2 | dix ans:3.5 | conserv*:3 | gardees:1.5 | garde*:0.5"
     " | effac*:2 | suppression:1.5 | definitiv*:2.5 | detruit*:2 | =3 mois:2.5 | trois mois:2.5"
     " | apres la fermeture:2.5 | apres fermeture:2.5 | restent:2 | deviennent:2 | kept:2 | archive*:3.5"
     " | erase*:2.5 | years:1 | data:0.8 | what happens to:2 | quand je ferme:2 | une fois ferme*:2.5 | sont effac*:2.5 | apres avoir ferme:2.5"),
    ("reopen", "after:reopen",
     "rouvrir:4 | reouvrir:4 | re ouvrir:4 | reactiv*:4 | changer d avis:4 | change d avis:4 | revenir en arriere:3.5"
     " | plus tard:1.5 | recreer:3 | annuler mon refus:3.5 | apres l avoir ferme:3 | annuler mon opposition:3.5 | reopen:4"
     " | change my mind:4 | undo:2.5 | finalement:3 | regrett*:3 | je le veux:2 | le reactiver:3 | en fait je veux:2.5 | want it back:4 | get it back:3"),
    ("restrict", "after:restrict",
     "masqu*:3 | cacher:3 | cache*:1.5 | bloqu*:3 | limit* qui:3 | limit* acces:3 | limit* l acces:3 | limit* ce que:3 | limiter:1.5 | garder mais:2 | paramet*:2.5 | reglage*:2.5 | confidentialite:1.5 | control*:1.5"
     " | restrein*:3 | restreind*:3 | choisir qui:2.5 | notification*:1.5 | messages de prevention:2.5"
     " | mask*:2.5 | hide:2.5 | block*:3 | settings:2 | restrict*:3"),
    ("children", "children:start",
     "enfant*:3 | fils:3 | fille:3 | bebe*:3 | naissance:2.5 | nouveau ne:3 | mineur*:2 | gamin*:2.5 | gosse*:2.5"
     " | petit:0.8 | ado*:1.2 | nourrisson:3 | child*:3 | kid*:3 | baby:3 | son:1 | daughter:3 | newborn:3"),
    ("adult18", "children:adult",
     "=18 ans:4 | majorite:4 | majeur*:3 | dix huit:3 | =16 ans:3 | a 18:3 | turns 18:4 | =18:2.5 | mineur*:2.5 | je suis mineur*:4 | suis mineur*:4 | turning 18:4 | aged 18:4 | 17 ans:3 | =17:1.5"),
    ("two_parents", "children:parents",
     "deux parents:4 | =2 parents:4 | autre parent:3.5 | divorc*:3 | separe*:3 | garde alternee:3.5"
     " | mon ex:3 | ex conjoint:3 | ex femme:3 | ex mari:3 | co parent*:3 | both parents:4 | other parent:3.5"
     " | le pere:1.5 | la mere:1.5 | son pere:2 | sa mere:2 | ex mari:4 | ex femme:4 | ex compagn*:4 | pere de mon enfant:3.5 | mere de mon enfant:3.5 | pere de mes enfants:3.5 | mere de mes enfants:3.5"),
    ("regimes", "children:regimes",
     "=msa:4 | mgen:4 | agricole:3 | regime*:3 | fonctionnaire*:2.5 | militaire*:2.5 | cnmss:4 | mutualiste:2"
     " | =rsi:2.5 | sncf:2.5 | ratp:2.5 | etudiant*:1.5 | independant*:1.5 | enim:2.5 | cavimac:3 | frontalier*:1.5"
     " | pas a la cpam:3 | autre caisse:3 | scheme:2.5 | agricult*:3 | paysan*:3 | exploitant*:2 | eleveur*:3 | viticult*:3 | marin*:2 | artisan*:1.5 | commercant*:1.5 | auto entrepreneur:2 | ca me concerne:1.5 | concerne aussi:1.5 | pareil:1.5 | meme chose:1 | ma caisse:2 | mutuelle etudiante:2.5 | =cpam:0.5"),
    ("protected", "others:protected",
     "tutelle:4 | curatelle:4 | curat*:4 | tutri*:4 | tuteur*:4 | curateur*:4 | protege*:2 | sauvegarde de justice:4 | mandataire:3"
     " | handicap*:1.5 | habilitation familiale:4 | majeur protege:4 | adulte protege:4 | guardian*:4"
     " | protected adult:4"),
    ("relative", "others:relative",
     "ma mere:2.5 | mon pere:2.5 | mon mari:3 | ma femme:3 | mes parents:2.5 | parent age:3 | parents ages:3 | grand mere:3 | grand pere:3"
     " | mamie:3 | mamy:3 | papi:3 | papy:3 | personne agee:3 | vieux:2 | conjoint*:2 | mari:2 | ma femme:2"
     " | epoux:2 | epouse:2 | proche*:2 | aider:1.5 | a sa place:3 | a leur place:3 | pour lui:2 | pour elle:2"
     " | ehpad:3 | maison de retraite:3"
     " | my mother:2.5 | my father:2.5 | elderly:3 | relative:2.5 | on behalf:3 | for someone:3 | my wife:2"
     " | my husband:2"),
    ("offline", "others:offline",
     "pas internet:4 | sans internet:4 | pas d internet:4 | pas d ordinateur:4 | pas de smartphone:3.5"
     " | pas de portable:3 | informatique:2 | numerique:1.5 | france services:4 | cpam:2 | guichet:2.5"
     " | par la poste:2.5 | en personne:2.5 | agence:2 | accueil:1.5 | pas de mail:3 | pas d adresse mail:3"
     " | pas d mail:3 | nul en:1.5 | sais pas utiliser:3.5 | no internet:4 | no computer:4 | without internet:4"
     " | by post:2.5 | in person:2.5 | computer:3 | no computer:4 | pres de chez moi:3 | aide pres:3 | aide:1 | m aider:2 | accompagn*:2.5 | ordinateur:2 | servir d un:2.5 | pas doue*:2.5 | galer*:2 | smartphone:2 | pas a l aise:3 | technolog*:2 | where can i get help:3.5 | help near:3.5"),
    ("window", "questions:window",
     "combien de temps:3 | delai*:2.5 | =6 semaines:3 | six semaines:3 | date limite:3 | jusqu a quand:3.5"
     " | quand:0.8 | un mois:2.5 | =1 mois:2.5 | a partir de:1.5 | reception:2 | envoi:1.5 | il me reste:2.5"
     " | encore le temps:3 | temps pour refuser:3 | how long:3 | deadline:3 | weeks:2 | when:1 | last day:3"
     " | dernier jour:3"),
    ("received", "deadline:start",
     "j ai recu:2.5 | recu:1.5 | mail:1.5 | courrier:1.5 | lettre:1.5 | que faire:1.5 | c est quoi ce mail:3 | c est quoi ce courrier:3 | c est quoi cette lettre:3"
     " | ce mail:2 | ce courrier:2 | votre service:1.5 | vous allez beneficier:3 | a ete cree:0.5"
     " | received:2.5 | got mail:3 | letter:1.5 | email:1.5 | calcul*:3 | ma date limite:3.5 | quelle est ma date:3 | ma date:2 | compute:2.5 | calculate:3 | my deadline:3.5"),
    ("sources", "sources:start",
     "source*:4 | reference*:2.5 | fiable*:2.5 | d ou vient:3 | d ou tenez:3 | tenez vous:2 | qui dit ca:3 | ou avez vous trouve:3 | d ou viennent:3 | qui vous a dit:3 | prouve*:2"
     " | article*:1.5 | texte*:1.5 | verifi*:1.5 | vrai:1 | legifrance:3 | where does this come:3 | true:1 | come from:3 | where do you get:3 | tes infos:2 | vos informations:2 | tes informations:2 | vos infos:2 | tu es sur:2 | vous etes sur:2 | are you sure:2.5"),
    ("police", "questions:police",
     "police*:4 | policier*:4 | gendarm*:4 | justice:3.5 | juge*:3.5 | tribunal:3.5 | enquete*:3 | avocat*:2.5"
     " | fisc:3 | impots:3 | surveill*:2.5 | =caf:2.5 | pole emploi:3 | france travail:3 | prefecture:3"
     " | =etat:1.5 | gouvernement:1.5 | court*:2.5 | cops:4 | tax office:3"),
    ("research", "questions:research",
     "health data hub:5 | =hdh:5 | =snds:5 | data hub:4 | recherche*:3 | chercheur*:3 | etude*:1.5 | vend*:3"
     " | revend*:3.5 | commerci*:3 | labo*:2.5 | pharmaceutique*:2.5 | microsoft:3.5 | gafam:3 | google:2.5"
     " | amazon:2.5 | americain*:2.5 | =ehds:5 | espace europeen:4 | europe*:2 | exploit*:2 | =ia:2 | intelligence artificielle:3"
     " | statistique*:2.5 | anonym*:2.5 | monetis*:3 | research*:3 | sell:3 | sold:3"),
    ("leak", "questions:leak",
     "fuite*:4 | pirat*:3.5 | hack*:3.5 | cyber*:3.5 | vol de donnees:4 | vole*:2 | securise:2.5 | securite:1.5 | est ce sur:2"
     " | heberg*:2.5 | atos:3 | chiffr*:2 | fuiter:4 | leak*:4 | breach*:4 | stolen:3"),
    ("law", "questions:law",
     "loi:1.5 | sanction*:3 | amende*:2.5 | =lfss:4 | =plfss:4 | conseil constitutionnel:4 | censur*:3.5"
     " | medecins obliges:4 | obliger les medecins:4 | =2026:1.5 | nouvelle loi:3 | decret:2 | obligation des medecins:4"
     " | law:1.5 | fines:2.5 | penalt*:2.5"),
    ("figures", "questions:figures",
     "combien de personnes:4 | combien de gens:4 | chiffre*:3.5 | pourcentage:3.5 | nombre:2 | beaucoup de gens:3"
     " | combien ont refuse:4 | combien:1 | million*:2 | taux:3 | la plupart des gens:3 | how many:3.5"
     " | figures:3 | percent*:3 | beaucoup de monde:3 | combien de monde:4 | utilisateur*:2.5 | qui l utilise:2.5 | how many people:4 | combien d inscrits:4 | combien l ont:3"),
    ("others", "others:start",
     "pour quelqu un:3 | a la place de:3 | quelqu un d autre:3 | au nom de:3 | procuration:3.5 | someone else:3"),
]

#: what the sources do not cover at all (appointments, refunds of care, a new carte Vitale, the weather...):
#: when this wins, the bot says its sources do not answer rather than stretching a topic to fit
OUTSIDE = ("outside", "questions:outside",
           "prendre rendez vous:4 | rendez vous chez:3.5 | rendez vous avec:3 | doctolib:4 | meteo:4 | quel temps fait:4"
           " | rembourse pas:3.5 | me rembourse:3 | rembourser mes:3 | remboursement de mes:3 | etre rembourse:3"
           " | lunettes:3 | dentaire:2 | franchise*:2 | tarif* consultation:3.5 | prix consultation:3.5"
           " | coute consultation:3.5 | meilleur medecin:4 | trouver un medecin:4 | trouver medecin:3.5"
           " | changer de medecin:3.5 | declarer medecin traitant:3 | nouvelle carte vitale:4 | carte vitale perdue:3.5"
           " | renouveler carte:3.5 | commander carte:3.5 | arret maladie:2 | arret de travail:2 | indemnit*:3"
           " | attestation de droits:3.5 | compte ameli:2.5 | mot de passe:2.5 | carnet de sante papier:4"
           " | carnet papier:3.5 | pharmacie de garde:4 | symptome*:3 | mal au:3 | mal a la:3 | blague:3"
           " | pharmacie ouverte:4 | pharmacie de garde:4 | dossier papier:3.5 | t appelle*:4 | tu t appelle*:4"
           " | qui es tu:3 | es tu un robot:3 | new carte vitale:4 | new card:3 | changer de mutuelle:4"
           " | recette:3 | book appointment:4 | appointment:3 | weather:4 | glasses:3 | refund*:2.5 | sick leave:3")

#: words people commonly write that look like a typo of a key but are not
COMMON = {"peuvent", "revenir", "internet", "interet", "veux", "vieux", "fermer", "ferme", "source", "sources",
          "pourcentage", "prevention", "prevenu", "ouvrir", "ouvert", "medecins", "remettre", "demande", "demander",
          "montrer", "sourde", "secours", "garder", "garde", "regarde", "regarder", "passe", "passer", "parents",
          "parent", "perdre", "prendre", "serie", "serait", "seront", "compte", "comptes", "porte", "poste"}
KNOWN: set[str] = set(COMMON)
for _n, _t, _spec in _TABLE:
    for _words, _w in _parse(_spec):
        KNOWN.update(w.strip("=*") for w in _words if not w.endswith("*"))
for _words, _w in _parse(OUTSIDE[2]):
    KNOWN.update(w.strip("=*") for w in _words if not w.endswith("*"))

#: broad intents ("refuser", "c'est quoi") weigh less when a precise topic is also present
GENERIC = {"refuse": 0.35, "what_is": 0.5, "others": 0.5, "access": 0.85}


#: a precise page and the broader page it belongs to: when both match, the broad one yields
SUBTOPIC = {"two_parents": "children", "adult18": "children", "data": "close", "reopen": "close",
            "doctor": "access", "emergency": "access", "restrict": "access", "missed": "window",
            "protected": "others", "relative": "others", "deaf": "phone", "lost_code": "ready",
            "received": "window"}


def _sorted_keys(spec: str):
    return tuple(sorted(_parse(spec), key=lambda kw: (-len(kw[0]), -kw[1])))


INTENTS: dict[str, Intent] = {name: Intent(name, target, _sorted_keys(spec), GENERIC.get(name, 1.0))
                              for name, target, spec in _TABLE}
_OUTSIDE = Intent(OUTSIDE[0], OUTSIDE[1], _sorted_keys(OUTSIDE[2]))

GREETINGS = {"bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey", "yo", "bonjoir", "hola",
             "salutations", "allo", "good", "morning", "evening"}
THANKS = {"merci", "thanks", "thank", "thx", "mercii", "merciii", "remerci"}
# words that may surround a greeting or a thank-you without making it a question
FILLER = {"le", "la", "bot", "robot", "toi", "vous", "a", "tous", "ca", "va", "madame", "monsieur", "beaucoup",
          "bien", "you", "there", "et", "encore", "mille", "fois", "super", "top", "parfait", "ok", "d", "accord",
          "cool", "genial", "oui", "the", "much", "so", "very", "for", "help", "aide", "votre", "ton", "de", "l",
          "s", "il", "plait", "te", "vous", "c", "est", "clair", "compris", "nickel", "bonne", "journee", "soiree",
          "okay", "cimer", "pour", "les", "informations", "reponse", "reponses", "explications", "conseils", "infiniment", "lot", "a", "bye", "au", "revoir", "tres", "aimable", "gentil", "sympa"}

ANSWER_AT = 2.5      # a best score from here on, clear of the runner-up, is answered
MARGIN = 1.0         # ... by at least this much
OFFER_AT = 1.5       # from here on, the two or three closest topics are offered


@dataclass
class Result:
    tokens: list[str]
    scores: list[tuple[str, float]] = field(default_factory=list)   # best first, score > 0
    kind: str = "none"      # "answer" | "offer" | "outside" | "greeting" | "thanks" | "none"
    offer: list[str] | None = None                                   # set when the examples changed the offer
    votes: list[tuple[str, float]] = field(default_factory=list)     # nearest-example votes, best first

    @property
    def best(self) -> str | None:
        return self.scores[0][0] if self.scores else None

    @property
    def top(self) -> list[str]:
        """Two or three closest intents worth offering as buttons."""
        if self.offer:
            return list(self.offer)
        if not self.scores:
            return []
        s1 = self.scores[0][1]
        topics = [(n, s) for n, s in self.scores if n in INTENTS]
        return [n for n, s in topics[:3] if s >= max(1.0, s1 * 0.45)]


@lru_cache(maxsize=512)
def _score(tokens: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    toks = _Tokens([t for t in tokens if t])
    raw: dict[str, float] = {}
    for it in (*INTENTS.values(), _OUTSIDE):
        used: set[int] = set()
        s = sum(w for words, w in it.keys if _phrase_at(toks, words, used))
        if s > 0:
            raw[it.name] = s
    for child, parent in SUBTOPIC.items():  # "deux parents" + "enfant": the precise page answers
        if raw.get(child, 0.0) >= 2.0 and parent in raw and raw[child] >= 0.8 * raw[parent]:
            raw[parent] = raw[parent] * 0.6
    precise = any(s >= 2.0 for n, s in raw.items() if n not in INTENTS or INTENTS[n].generic == 1.0)
    out = [(n, round(s * (INTENTS[n].generic if precise and n in INTENTS else 1.0), 2)) for n, s in raw.items()]
    out.sort(key=lambda p: -p[1])
    return tuple(out)


def explain(text: str) -> dict[str, list[str]]:
    """Which keys matched, per intent (for tuning and for test failure messages)."""
    toks = _Tokens(normalise(text))
    out = {}
    for it in (*INTENTS.values(), _OUTSIDE):
        used: set[int] = set()
        hits = [" ".join(w) + f":{x}" for w, x in it.keys if _phrase_at(toks, w, used)]
        if hits:
            out[it.name] = hits
    return out


def classify(text: str, _skip: int | None = None) -> Result:
    """Keyword scores first; the nearest examples then confirm, split a close call, or rescue a miss."""
    res = _classify_keywords(text)
    if res.kind in ("greeting", "thanks") or not res.tokens:
        return res
    votes, best_sim = _neighbours().vote(res.tokens, skip=_skip)
    return _second_opinion(res, votes, best_sim)


def _second_opinion(res: "Result", votes: list[tuple[str, float]], best_sim: float) -> "Result":
    res.votes = votes
    if not votes:
        return res
    total = sum(v for _n, v in votes)
    nn, nv = votes[0]
    share = nv / total
    sure = best_sim >= KNN_SURE and share >= KNN_SHARE
    if res.kind == "answer":
        own = dict(votes).get(res.best, 0.0)
        if nn != res.best and nn != OUTSIDE[0] and sure and nv >= 2 * own:
            res.kind, res.offer = "offer", [res.best, nn]  # the two readings disagree: let the person pick
        return res
    if res.kind == "offer":
        tops = res.top
        # the examples settle a close call for the keyword leader, or, when very close, for another
        off_topic = dict(res.scores).get(OUTSIDE[0], 0.0) >= OFFER_AT
        if nn in tops and sure and not off_topic and best_sim >= (KNN_ANSWER if nn == res.best else KNN_OVERRIDE):
            res.kind, res.offer = "answer", None
            res.scores = [(nn, dict(res.scores).get(nn, 0.0))] + [p for p in res.scores if p[0] != nn]
        elif nn in INTENTS and nn not in tops and sure:
            res.offer = (tops + [nn])[:3]
        return res
    # no keyword decided ("none", or off-topic words): the examples may still recognise the question
    if sure and nn == OUTSIDE[0]:
        res.kind = "outside"
    elif sure and nn in INTENTS:
        res.kind = "offer"
        res.offer = [n for n, v in votes if n in INTENTS and v >= 0.5 * nv][:3]
    return res


def _classify_keywords(text: str) -> Result:
    toks = normalise(text)
    res = Result(toks, list(_score(tuple(toks))))
    if not toks:
        return res
    rest = [t for t in toks if t not in GREETINGS and t not in THANKS and t not in FILLER]
    if not res.scores or res.scores[0][1] < OFFER_AT:
        if any(t in THANKS or t.startswith("merci") for t in toks) and len(rest) <= 2:
            res.kind = "thanks"
            return res
        if any(t in GREETINGS for t in toks) and len(rest) <= 2:
            res.kind = "greeting"
            return res
    if not res.scores:
        return res
    s1 = res.scores[0][1]
    s2 = res.scores[1][1] if len(res.scores) > 1 else 0.0
    outside = dict(res.scores).get(OUTSIDE[0], 0.0)
    if res.scores[0][0] == OUTSIDE[0]:
        # the sources do not cover this; a topic nearly as strong is offered instead of guessing
        if s1 >= OFFER_AT:
            res.kind = "offer" if s2 >= ANSWER_AT and s1 - s2 < MARGIN else "outside"
        return res
    if s1 >= ANSWER_AT and s1 - s2 >= MARGIN:
        res.kind = "answer"
    elif s1 >= ANSWER_AT + 2 and s1 >= 1.5 * s2:
        res.kind = "answer"
    elif s1 >= OFFER_AT:
        res.kind = "offer"
    if res.kind == "answer" and outside >= OFFER_AT and s1 - outside < MARGIN + 0.5:
        res.kind = "offer"  # as much off-topic as on-topic: do not answer a page blindly
    return res


# --- second opinion: nearest labelled examples ------------------------------------------------
#
# The keyword table is precise but only knows the words someone wrote into it.  A small
# nearest-neighbour vote over labelled example questions (bot/intent_examples.py) looks at the
# whole sentence (word stems, plus letter trigrams for typos): it confirms a keyword answer,
# turns a disagreement into buttons, and offers topics when no keyword matched at all.

_STOP = {"le", "la", "les", "l", "de", "des", "du", "d", "un", "une", "et", "a", "au", "aux", "en", "ce", "cet",
         "cette", "c", "est", "je", "j", "ai", "tu", "il", "elle", "on", "nous", "vous", "ils", "me", "m", "se", "s",
         "que", "qu", "y", "ne", "n", "pas", "the", "an", "is", "it", "to", "i", "of", "and", "ca", "t", "be", "are",
         "sur", "par", "dans", "avec", "ou", "si", "mais", "donc", "alors", "bien", "tres", "plus", "bonjour", "salut",
         "hello", "hi", "merci", "svp", "mes", "mon", "ma", "my", "your", "vos", "votre", "ton", "ta", "tes"}
KNN_K = 5
KNN_SURE = 0.45      # best example at least this similar ...
KNN_SHARE = 0.6      # ... and this share of the votes: the examples are sure
KNN_ANSWER = 0.6     # sure enough to settle a close keyword call
KNN_OVERRIDE = 0.75  # ... in favour of a topic that is not the keyword leader


def _features(toks: list[str]) -> dict[str, float]:
    f: dict[str, float] = {}
    for t in toks:
        if t in _STOP:
            continue
        f["w:" + _root(t)] = f.get("w:" + _root(t), 0.0) + 1.0
        if len(t) >= 5 and not t.isdigit():
            padded = f"<{t}>"
            for i in range(len(padded) - 2):
                g = "g:" + padded[i:i + 3]
                f[g] = f.get(g, 0.0) + 0.25
    return f


class _Neighbours:
    """TF-IDF cosine over the labelled examples, with an inverted index (a few hundred examples)."""

    def __init__(self, examples):
        import math

        feats = [_features(normalise(q)) for q, _n in examples]
        df: dict[str, int] = {}
        for f in feats:
            for k in f:
                df[k] = df.get(k, 0) + 1
        n = len(feats)
        self.idf = {k: math.log((1 + n) / (1 + d)) + 1.0 for k, d in df.items()}
        self.labels = [lab for _q, lab in examples]
        self.index: dict[str, list[tuple[int, float]]] = {}
        for i, f in enumerate(feats):
            vec = self._weigh(f)
            for k, v in vec.items():
                self.index.setdefault(k, []).append((i, v))

    def _weigh(self, f: dict[str, float]) -> dict[str, float]:
        import math

        vec = {k: v * self.idf.get(k, 0.0) for k, v in f.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {k: v / norm for k, v in vec.items() if v}

    def vote(self, toks: list[str], skip: int | None = None) -> tuple[list[tuple[str, float]], float]:
        """Intents by summed similarity of the K nearest examples, and the best similarity."""
        sims: dict[int, float] = {}
        for k, v in self._weigh(_features(toks)).items():
            for i, w in self.index.get(k, ()):
                sims[i] = sims.get(i, 0.0) + v * w
        if skip is not None:
            sims.pop(skip, None)
        near = sorted(sims.items(), key=lambda p: -p[1])[:KNN_K]
        votes: dict[str, float] = {}
        for i, sim in near:
            if sim >= 0.2:
                votes[self.labels[i]] = votes.get(self.labels[i], 0.0) + sim
        return sorted(votes.items(), key=lambda p: -p[1]), (near[0][1] if near else 0.0)


@lru_cache(maxsize=1)
def _neighbours() -> _Neighbours:
    from .intent_examples import EXAMPLES

    return _Neighbours(EXAMPLES)


QUESTION_WORDS = {"comment", "pourquoi", "quoi", "qui", "quand", "ou", "combien", "quel", "quelle", "quels",
                  "quelles", "est", "peut", "puis", "how", "why", "what", "who", "when", "where", "can", "does",
                  "is", "do"}


def looks_like_question(text: str) -> bool:
    """A real question (not a stray word): a question mark or a question word, and at least three words."""
    toks = normalise(text)
    words_ = [t for t in toks if len(t) > 1 and not t.isdigit()]
    if len(words_) < 3:
        return False
    return "?" in (text or "") or bool(set(toks[:3]) & QUESTION_WORDS)
