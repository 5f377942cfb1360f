"""Built-in vocabularies: synonyms for ``primary_site`` (spellings, abbreviations, German /
French / Spanish words, ICD-10 C-codes), histology detail, sex, booleans and the categorical
columns of the canonical schema.

Every lookup here is deterministic and documented; a value that is not found, or that names two
different sites (e.g. "lung cancer with liver metastases"), is *not* guessed: the caller sets it
to NA and writes an audit record.

Lookups work on normalized text (:func:`normalize_text`: lower case, accents folded, punctuation
turned into spaces), so "Lung-Ca.", "lung ca" and "LUNG CA" are the same key.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = [
    "normalize_text",
    "lookup_site",
    "icd10_site",
    "SITE_SYNONYMS",
    "HISTOLOGY_PHRASES",
    "CATEGORY_SYNONYMS",
    "BOOL_SYNONYMS",
    "EVENT_SYNONYMS",
    "MISSING_MARKERS",
]

#: Raw strings read as "not recorded" (NA) without an audit record, because they *are* missing in
#: the source. "unknown" and "none" are deliberately absent: they are values of molecular and
#: visceral-metastasis columns.
MISSING_MARKERS = frozenset({"", "na", "n/a", "n.a.", "nan", "null", "-", "--", ".", "nd", "n.d.", "#n/a"})


def normalize_text(value: str) -> str:
    """Lower-case, fold accents (ä→a, é→e, ß→ss), turn punctuation into single spaces."""
    s = str(value).strip().lower().replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[^a-z0-9+]+", " ", s)
    return s.strip()


# --------------------------------------------------------------------------------------------
# primary_site
# --------------------------------------------------------------------------------------------
# Keys are normalized phrases (see normalize_text). A key may be a whole value ("nsclc") or a
# token inside a longer free text ("adenocarcinoma of the lung" -> token "lung").
_SITE_WORDS: dict[str, tuple[str, ...]] = {
    "lung": (
        "lung", "lungs", "pulmonary", "bronchial", "bronchus", "bronchogenic", "nsclc", "sclc",
        "lunge", "lungen", "lungenkarzinom", "lungenkrebs", "bronchialkarzinom", "bronchial karzinom",
        "bronchuskarzinom", "poumon", "pulmonaire", "bronchique", "pulmon", "pulmonar",
        "bronquial", "luca", "lung ca", "oat cell",
    ),
    "breast": (
        "breast", "mamma", "mammakarzinom", "mamma ca", "mamma karzinom", "brustkrebs", "brust",
        "mammaire", "mama", "cancer de mama", "breast ca", "mammary",
    ),
    "prostate": (
        "prostate", "prostatic", "prostata", "prostatakarzinom", "prostata ca", "pca", "prostatique",
        "prostatico", "prostate ca", "crpc", "mcrpc", "adenocarcinoma prostate",
    ),
    "kidney": (
        "kidney", "renal", "rcc", "ccrcc", "hypernephroma", "hypernephrom", "grawitz", "niere",
        "nieren", "nierenzellkarzinom", "nierenkarzinom", "nierenzell", "ncc", "renale", "rinon",
        "renal cell", "renal pelvis", "clear cell renal",
    ),
    "thyroid": (
        "thyroid", "thyroidal", "schilddruse", "schilddrusenkarzinom", "schilddrusen", "thyroide",
        "thyroidien", "tiroides", "tiroideo", "follicular thyroid", "papillary thyroid", "ftc", "ptc",
        "mtc", "medullary thyroid",
    ),
    "colon": (
        "colon", "colonic", "kolon", "kolonkarzinom", "kolon ca", "colon ca", "sigma", "sigmoid",
        "caecum", "cecum", "coecum", "colique", "colico",
    ),
    "rectum": (
        "rectum", "rectal", "rektum", "rektumkarzinom", "rektum ca", "rectal ca", "rectosigmoid",
        "rectale", "recto", "rectal cancer",
    ),
    "stomach": (
        "stomach", "gastric", "magen", "magenkarzinom", "magen ca", "estomac", "gastrique", "estomago",
        "gastrico", "cardia",
    ),
    "esophagus": (
        "esophagus", "oesophagus", "esophageal", "oesophageal", "osophagus", "osophaguskarzinom",
        "speiserohre", "oesophage", "esofago", "gej",
    ),
    "pancreas": (
        "pancreas", "pancreatic", "pankreas", "pankreaskarzinom", "pancreatique", "pancreatico", "pdac",
    ),
    "liver": (
        "liver", "hepatic", "hepatocellular", "hcc", "leber", "leberzellkarzinom", "foie", "hepatique",
        "higado", "hepatico", "cholangiocellular", "intrahepatic cholangiocarcinoma",
    ),
    "gallbladder": (
        "gallbladder", "gall bladder", "biliary", "bile duct", "cholangiocarcinoma", "gallenblase",
        "gallengang", "vesicule biliaire", "vesicula biliar",
    ),
    "bladder": (
        "bladder", "urinary bladder", "urothelial", "harnblase", "blase", "blasenkarzinom", "urothel",
        "vessie", "vejiga", "tcc", "transitional cell",
    ),
    "uterus": (
        "uterus", "uterine", "endometrium", "endometrial", "corpus uteri", "gebarmutter", "korpus",
        "endometriumkarzinom", "uterin", "uterino", "utero", "endometre",
    ),
    "cervix": (
        "cervix", "cervical cancer", "cervix uteri", "zervix", "zervixkarzinom", "col uterin",
        "col de l uterus", "cuello uterino", "cervicouterino",
    ),
    "ovary": (
        "ovary", "ovarian", "ovar", "ovarial", "ovarialkarzinom", "ovaire", "ovario",
    ),
    "head_neck": (
        "head and neck", "head neck", "hnscc", "scchn", "larynx", "laryngeal", "pharynx", "pharyngeal",
        "oropharynx", "hypopharynx", "nasopharynx", "nasopharyngeal", "oral cavity", "tongue", "tonsil",
        "parotid", "salivary", "kopf hals", "hno", "kehlkopf", "zunge", "tete et cou", "cabeza y cuello",
        "sinonasal", "mouth",
    ),
    "melanoma": (
        "melanoma", "melanom", "malignant melanoma", "melanome", "mm skin", "uveal melanoma",
        "cutaneous melanoma",
    ),
    "myeloma": (
        "myeloma", "multiple myeloma", "myelom", "plasmacytoma", "plasmozytom", "plasmocytome",
        "plasma cell", "mieloma", "plasmacitoma", "kahler",
    ),
    "lymphoma": (
        "lymphoma", "lymphom", "lymphome", "linfoma", "nhl", "dlbcl", "hodgkin", "non hodgkin",
        "hodgkin lymphoma", "b cell lymphoma", "t cell lymphoma",
    ),
    "sarcoma": (
        "sarcoma", "sarkom", "sarcome", "soft tissue sarcoma", "weichteilsarkom", "chondrosarcoma",
        "chondrosarkom", "ewing", "ewing sarcoma", "leiomyosarcoma", "liposarcoma", "rhabdomyosarcoma",
        "synovial sarcoma", "chordoma", "chordom", "gist",
    ),
    "osteosarcoma": ("osteosarcoma", "osteosarkom", "osteosarcome", "osteosarcoma bone"),
    "carcinoid": (
        "carcinoid", "karzinoid", "carcinoide", "neuroendocrine", "neuroendokrin", "net", "nen",
        "neuroendocrine tumor", "neuroendocrine tumour", "neuroendokriner tumor",
    ),
    "testis": (
        "testis", "testicular", "testes", "hoden", "hodenkarzinom", "germ cell", "seminoma", "seminom",
        "nonseminoma", "testicule", "testiculo", "testicular germ cell",
    ),
    "unknown": (
        "cup", "unknown primary", "carcinoma of unknown primary", "cancer of unknown primary",
        "primary unknown", "unknown primary site", "occult primary", "unbekannter primartumor",
        "unbekannter primarius", "primarius unbekannt", "cup syndrom", "primitif inconnu",
        "primario desconocido", "unidentified primary", "unidentified", "not identified",
    ),
    "other": ("other", "others", "andere", "sonstige", "autre", "otro"),
}

#: normalized phrase -> canonical site
SITE_SYNONYMS: dict[str, str] = {}
for _site, _words in _SITE_WORDS.items():
    SITE_SYNONYMS[_site] = _site
    SITE_SYNONYMS[normalize_text(_site)] = _site
    for _w in _words:
        SITE_SYNONYMS[normalize_text(_w)] = _site
SITE_SYNONYMS["head neck"] = "head_neck"

#: Phrases that carry histology detail, kept in ``primary_histology`` (checked longest first).
HISTOLOGY_PHRASES: dict[str, str] = {
    "non small cell": "nsclc", "nsclc": "nsclc", "nichtkleinzellig": "nsclc", "non petites cellules": "nsclc",
    "small cell": "sclc", "sclc": "sclc", "kleinzellig": "sclc", "oat cell": "sclc", "petites cellules": "sclc",
    "adenocarcinoma": "adenocarcinoma", "adenocarcinome": "adenocarcinoma", "adenokarzinom": "adenocarcinoma",
    "adenocarcinoma of": "adenocarcinoma", "adeno": "adenocarcinoma", "adenoca": "adenocarcinoma",
    "squamous": "squamous_cell", "squamous cell": "squamous_cell", "plattenepithel": "squamous_cell",
    "plattenepithelkarzinom": "squamous_cell", "scc": "squamous_cell", "epidermoide": "squamous_cell",
    "clear cell": "clear_cell", "ccrcc": "clear_cell", "klarzellig": "clear_cell",
    "papillary": "papillary", "papillar": "papillary", "ptc": "papillary",
    "follicular": "follicular", "follikular": "follicular", "ftc": "follicular",
    "medullary": "medullary", "mtc": "medullary",
    "ductal": "ductal", "lobular": "lobular",
    "hepatocellular": "hepatocellular", "hcc": "hepatocellular",
    "urothelial": "urothelial", "transitional cell": "urothelial", "tcc": "urothelial",
    "neuroendocrine": "neuroendocrine", "neuroendokrin": "neuroendocrine",
    "chondrosarcoma": "chondrosarcoma", "ewing": "ewing", "leiomyosarcoma": "leiomyosarcoma",
    "liposarcoma": "liposarcoma", "chordoma": "chordoma", "seminoma": "seminoma",
}
_HISTO_SORTED = sorted(HISTOLOGY_PHRASES, key=len, reverse=True)

# words ignored when a free text is reduced to site words (carcinoma, cancer, of, the, ...)
_FILLER = frozenset(
    "ca carcinoma carcinomas karzinom krebs cancer cancers tumor tumour tumore neoplasm neoplasia "
    "malignant malignancy maligne malignes primary primarius primartumor of the a an with and "
    "left right metastatic metastasized metastasiert du de la le les des del el y und mit der die das "
    "ca. cell cells disease adenocarcinoma adenocarcinome adenokarzinom adeno adenoca squamous "
    "non small nsclc sclc ductal lobular invasive in situ nos stage iv grade".split()
)

_ICD_RE = re.compile(r"^\s*(?:icd\s*10\s*)?([cC])\s*(\d{2}|7[aAbB])(?:\s*\.\s*(\w{1,3}))?\s*$")

# ICD-10 (WHO) chapter II, malignant neoplasms stated as primary. C77-C79 (secondary) and C97
# (multiple independent primaries) name no single primary site and map to None (NA + audit).
# C7A / C7B are ICD-10-CM (US) codes for neuroendocrine tumours (C7B = secondary -> None).
_ICD10_RANGES: tuple[tuple[int, int, str | None], ...] = (
    (0, 14, "head_neck"), (15, 15, "esophagus"), (16, 16, "stomach"), (17, 17, "other"),
    (18, 18, "colon"), (19, 20, "rectum"), (21, 21, "other"), (22, 22, "liver"),
    (23, 24, "gallbladder"), (25, 25, "pancreas"), (26, 29, "other"), (30, 32, "head_neck"),
    (33, 33, "other"), (34, 34, "lung"), (35, 39, "other"), (40, 41, "sarcoma"), (42, 42, "other"),
    (43, 43, "melanoma"), (44, 48, "other"), (49, 49, "sarcoma"), (50, 50, "breast"),
    (51, 52, "other"), (53, 53, "cervix"), (54, 55, "uterus"), (56, 56, "ovary"), (57, 60, "other"),
    (61, 61, "prostate"), (62, 62, "testis"), (63, 63, "other"), (64, 65, "kidney"),
    (66, 66, "other"), (67, 67, "bladder"), (68, 72, "other"), (73, 73, "thyroid"),
    (74, 76, "other"), (77, 79, None), (80, 80, "unknown"), (81, 86, "lymphoma"), (87, 87, None),
    (88, 88, "lymphoma"), (89, 89, None), (90, 90, "myeloma"), (91, 96, "other"), (97, 97, None),
)


def icd10_site(code: str) -> tuple[bool, str | None, str]:
    """Map an ICD-10 C-code to a site.

    Returns
    -------
    (is_code, site, reason) : tuple
        ``is_code`` is False when ``code`` is not an ICD-10 C-code at all. ``site`` is None for
        codes that name no single primary (C77–C79 secondary, C97 multiple primaries, C7B).
    """
    m = _ICD_RE.match(str(code))
    if not m:
        return False, None, ""
    body = m.group(2).upper()
    if body == "7A":
        return True, "carcinoid", "ICD-10-CM C7A (malignant neuroendocrine tumour)"
    if body == "7B":
        return True, None, "ICD-10-CM C7B is a secondary neuroendocrine tumour, not a primary site"
    num = int(body)
    for lo, hi, site in _ICD10_RANGES:
        if lo <= num <= hi:
            if site is None:
                what = {97: "multiple independent primaries"}.get(num, "a secondary (metastatic) site")
                return True, None, f"ICD-10 C{num:02d} codes {what}, not a single primary site"
            return True, site, f"ICD-10 C{num:02d}"
    return True, None, f"ICD-10 C{num:02d} is not a malignant-neoplasm code"


def _histology(norm: str) -> str | None:
    padded = f" {norm} "
    for phrase in _HISTO_SORTED:
        if f" {phrase} " in padded:
            return HISTOLOGY_PHRASES[phrase]
    return None


def _site_phrases(words: list[str]) -> dict[str, str]:
    """Site phrases in a text's words: longest phrases first (4 words down to 1), each word used
    once: "col de l uterus" is the cervix, not the uterus; "gall bladder" is not the urinary
    bladder."""
    found: dict[str, str] = {}
    used = [False] * len(words)
    for n in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            if any(used[i:i + n]):
                continue
            ph = " ".join(words[i:i + n])
            site = SITE_SYNONYMS.get(ph)
            if site is None or ph in _FILLER:
                continue
            if n == 1 and site in ("unknown", "other") and ph != "cup":
                continue  # "unknown histology", "other" inside a longer text are not sites
            found[ph] = site
            used[i:i + n] = [True] * n
    return found


def lookup_site(raw: str) -> tuple[str | None, str | None, str]:
    """Map one raw primary-site text to ``(site, histology, reason)``.

    Rules, in order: ICD-10 C-code; the whole normalized text in :data:`SITE_SYNONYMS`; else
    the text is split into words and two-word phrases, filler words (carcinoma, of, ...) dropped,
    and the site is accepted only if every site word found names the *same* site. No site word
    or two different sites → ``site`` is None and ``reason`` says why. Bare "unknown" is not
    mapped to the ``unknown`` site (it may mean "not recorded"); say so in the mapping's
    ``values`` if the source uses it for an unidentified primary.
    """
    is_code, site, reason = icd10_site(raw)
    if is_code:
        return site, None, reason
    norm = normalize_text(raw)
    if not norm:
        return None, None, "empty"
    histo = _histology(norm)
    if norm in ("unknown", "unbekannt", "inconnu", "desconocido", "unk", "unclear", "unklar"):
        return None, None, (f"'{raw}' is ambiguous (not recorded, or primary not identified?); "
                            "map it explicitly under values: primary_site")
    if norm in SITE_SYNONYMS:
        site = SITE_SYNONYMS[norm]
        return site, histo, f"synonym '{norm}'"
    found = _site_phrases(norm.split())
    if not found and histo in ("nsclc", "sclc"):
        return "lung", histo, f"histology '{histo}' implies lung"
    sites = set(found.values())
    if len(sites) == 1:
        site = sites.pop()
        return site, histo, f"free text word(s) {sorted(found)}"
    if not sites:
        return None, histo, f"'{raw}' names no known primary site"
    return None, histo, f"'{raw}' names more than one site ({', '.join(sorted(sites))})"


# --------------------------------------------------------------------------------------------
# other categorical columns
# --------------------------------------------------------------------------------------------
_SEX = {
    "male": ("m", "male", "man", "men", "mann", "mannlich", "maennlich", "herr", "homme", "masculin",
             "h", "hombre", "masculino", "varon", "boy"),
    "female": ("f", "female", "woman", "women", "frau", "weiblich", "w", "femme", "feminin", "mujer",
               "femenino", "girl"),
}
_VISCERAL = {
    "none": ("none", "no", "nein", "absent", "0", "keine", "non", "ninguna"),
    "removable": ("removable", "resectable", "treatable", "operable", "resektabel", "resecable"),
    "unremovable": ("unremovable", "unresectable", "untreatable", "inoperable", "irresectable",
                    "nonresectable", "non resectable", "not removable", "irresektabel"),
}
_PATTERN = {
    "none": ("none", "no", "absent", "0", "keine"),
    "nodular": ("nodular", "nodule", "nodules", "nodular visceral", "nodular metastases"),
    "disseminated": ("disseminated", "diffuse", "pleural", "peritoneal", "carcinomatosis", "disseminiert"),
}
_UNKNOWN = ("unknown", "unk", "not tested", "nt", "untested", "unbekannt", "nicht getestet", "inconnu",
            "desconocido", "equivocal", "indeterminate")
_MUT = ("mutant", "mutated", "mutation", "mut", "mt", "positive", "pos", "+", "mutiert")
_WT = ("wildtype", "wild type", "wt", "negative", "neg", "-", "no mutation", "wildtyp", "not mutated")
_REARR = ("rearranged", "rearrangement", "fusion", "positive", "pos", "+", "translocated")
_NEG = ("negative", "neg", "-", "not rearranged", "no fusion", "wildtype", "wt", "negativ")
_POS = ("positive", "pos", "+", "positiv", "1+", "2+", "3+")
_POSNEG = {"positive": _POS, "negative": ("negative", "neg", "-", "negativ", "0"), "unknown": _UNKNOWN}

CATEGORY_SYNONYMS: dict[str, dict[str, str]] = {}


def _table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, words in groups.items():
        out[normalize_text(canon)] = canon
        for w in words:
            # "+" / "-" survive normalize_text only as "+" / ""; keep raw forms too
            out[normalize_text(w) or w] = canon
    return out


CATEGORY_SYNONYMS["sex"] = _table(_SEX)
CATEGORY_SYNONYMS["visceral_mets"] = _table(_VISCERAL)
CATEGORY_SYNONYMS["visceral_pattern"] = _table(_PATTERN)
CATEGORY_SYNONYMS["frankel"] = {k: k.upper() for k in "abcde"} | {f"frankel {k}": k.upper() for k in "abcde"}
for _g in ("egfr", "kras"):
    CATEGORY_SYNONYMS[_g] = _table({"mutant": _MUT, "wildtype": _WT, "unknown": _UNKNOWN})
for _g in ("alk", "ros1"):
    CATEGORY_SYNONYMS[_g] = _table({"rearranged": _REARR, "negative": _NEG, "unknown": _UNKNOWN})
CATEGORY_SYNONYMS["braf"] = _table({"v600": ("v600e", "v600k", "v600 mutant", "braf v600", "v600e mutant"),
                                    "wildtype": _WT, "unknown": _UNKNOWN})
for _g in ("er", "pr", "her2"):
    CATEGORY_SYNONYMS[_g] = _table(_POSNEG)
CATEGORY_SYNONYMS["castration"] = _table({
    "sensitive": ("sensitive", "hormone sensitive", "castration sensitive", "hspc", "mhspc", "cspc", "hormone naive"),
    "resistant": ("resistant", "castration resistant", "crpc", "mcrpc", "hormone refractory", "refractory"),
    "unknown": _UNKNOWN,
})

#: ASIA Impairment Scale letter -> Frankel grade (letter for letter). The AIS was derived from
#: the Frankel grade (Maynard FM et al., Spinal Cord 1997;35:266-274, International Standards for
#: Neurological and Functional Classification of Spinal Cord Injury); grades C/D differ in
#: definition (AIS: muscle grade < 3 / >= 3 below the level; Frankel: motor useless / useful), so
#: the conversion is recorded in the audit for every row.
ASIA_TO_FRANKEL: dict[str, str] = {k: k.upper() for k in "abcde"} | {f"asia {k}": k.upper() for k in "abcde"} | {
    f"ais {k}": k.upper() for k in "abcde"}

BOOL_SYNONYMS: dict[str, bool] = {
    **dict.fromkeys(("1", "true", "t", "yes", "y", "ja", "j", "oui", "si", "present", "positive", "pos", "x",
                     "wahr", "vorhanden"), True),
    **dict.fromkeys(("0", "false", "f", "no", "n", "nein", "non", "absent", "negative", "neg", "falsch", "keine",
                     "kein"), False),
}

#: Raw values of an event column that are unambiguous. Anything else (e.g. 2) rejects the row.
EVENT_SYNONYMS: dict[str, int] = {
    **dict.fromkeys(("1", "dead", "died", "deceased", "death", "yes", "true", "verstorben", "tot", "gestorben",
                     "decede", "muerto", "fallecido", "1 deceased"), 1),
    **dict.fromkeys(("0", "alive", "living", "censored", "no", "false", "lebt", "lebend", "am leben", "vivant",
                     "vivo", "0 living", "alive with disease", "alive without disease"), 0),
}


# --------------------------------------------------------------------------------------------
# spine: level, SINS items, ESCC grade, radiosensitivity, treatment received (additive, v2)
# --------------------------------------------------------------------------------------------
def _level_synonyms() -> dict[str, str]:
    """'T12', 'Th12', 'Th 12', 'D12' (dorsal), 'BWK 12' (German Brustwirbelkörper), 'LWK5',
    'HWK3', 'SWK1', '12th thoracic' ... -> canonical level."""
    out: dict[str, str] = {}
    prefixes = {"C": ("c", "hwk", "cervical"), "T": ("t", "th", "d", "bwk", "thoracic", "dorsal"),
                "L": ("l", "lwk", "lumbar"), "S": ("s", "swk", "sacral")}
    counts = {"C": 7, "T": 12, "L": 5, "S": 5}
    for region, n in counts.items():
        for i in range(1, n + 1):
            canon = f"{region}{i}"
            for p in prefixes[region]:
                out[normalize_text(f"{p}{i}")] = canon
                out[normalize_text(f"{p} {i}")] = canon
    return out


CATEGORY_SYNONYMS["spine_level"] = _level_synonyms()
CATEGORY_SYNONYMS["sins_location"] = _table({
    "junctional": ("junctional", "junction", "junctional spine", "3"),
    "mobile": ("mobile", "mobile spine", "2"),
    "semi_rigid": ("semi rigid", "semirigid", "semi-rigid", "semi rigid spine", "1"),
    "rigid": ("rigid", "rigid spine", "0"),
})
CATEGORY_SYNONYMS["sins_pain"] = _table({
    "mechanical": ("mechanical", "mechanical pain", "yes mechanical", "movement related", "3"),
    "occasional": ("occasional", "occasional pain", "non mechanical", "nonmechanical", "not mechanical", "1"),
    "none": ("none", "no", "pain free", "painfree", "no pain", "0"),
})
CATEGORY_SYNONYMS["sins_lesion"] = _table({
    "lytic": ("lytic", "osteolytic", "lysis", "2"),
    "mixed": ("mixed", "mixed lytic blastic", "lytic blastic", "mixed lytic sclerotic", "1"),
    "blastic": ("blastic", "osteoblastic", "sclerotic", "osteosclerotic", "0"),
})
CATEGORY_SYNONYMS["sins_alignment"] = _table({
    "subluxation": ("subluxation", "translation", "subluxation translation", "4"),
    "deformity": ("deformity", "de novo deformity", "kyphosis", "scoliosis", "kyphosis scoliosis", "2"),
    "normal": ("normal", "normal alignment", "none", "0"),
})
CATEGORY_SYNONYMS["sins_collapse"] = _table({
    # no "<50" / ">50": normalize_text drops the sign, so both would read "50"
    "over_50": ("over 50", "gt 50", "more than 50", "collapse over 50", "3"),
    "under_50": ("under 50", "lt 50", "less than 50", "collapse under 50", "2"),
    "involved_over_50": ("involved over 50", "no collapse with over 50 involved",
                         "involvement over 50", "1"),
    "none": ("none", "no collapse", "0"),
})
CATEGORY_SYNONYMS["sins_posterolateral"] = _table({
    "bilateral": ("bilateral", "both", "3"),
    "unilateral": ("unilateral", "one side", "1"),
    "none": ("none", "no", "absent", "0"),
})
CATEGORY_SYNONYMS["escc_grade"] = _table({
    "0": ("0", "grade 0", "escc 0", "bilsky 0"),
    "1a": ("1a", "grade 1a", "escc 1a", "bilsky 1a"),
    "1b": ("1b", "grade 1b", "escc 1b", "bilsky 1b"),
    "1c": ("1c", "grade 1c", "escc 1c", "bilsky 1c"),
    "2": ("2", "grade 2", "escc 2", "bilsky 2"),
    "3": ("3", "grade 3", "escc 3", "bilsky 3"),
})
CATEGORY_SYNONYMS["radiosensitivity"] = _table({
    "sensitive": ("sensitive", "radiosensitive", "radio sensitive", "rs"),
    "resistant": ("resistant", "radioresistant", "radio resistant", "rr"),
})
CATEGORY_SYNONYMS["treatment_received"] = _table({
    "surgery": ("surgery", "operation", "operated", "decompression", "stabilization", "stabilisation"),
    "surgery_radiotherapy": ("surgery radiotherapy", "surgery rt", "surgery + rt", "separation surgery srs",
                             "surgery and radiotherapy", "surgery plus radiotherapy"),
    "cebrt": ("cebrt", "ebrt", "conventional radiotherapy", "conventional ebrt", "rt", "radiotherapy",
              "palliative radiotherapy"),
    "sbrt": ("sbrt", "srs", "stereotactic", "sabr", "stereotactic radiosurgery", "stereotactic body radiotherapy"),
    "systemic": ("systemic", "systemic therapy", "chemotherapy", "systemic only"),
    "supportive": ("supportive", "best supportive care", "bsc", "palliative care"),
})
