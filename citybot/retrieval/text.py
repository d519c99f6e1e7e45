"""Indonesian text analysis for the lexical index: normalise, de-slang, stem, drop stop words.

Documents and queries go through the same analyser, so "KK", "kartu keluarga" and "Kartu
Keluarga" meet as the same terms. Queries get two extra steps that need the index vocabulary:
repairing words the corpus has never seen (colloquial affixes such as "ngurus", typos such as
"imunsasi") and adding synonyms at reduced weight.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_VOWELS = set("aiueo")
_REDUP_RE = re.compile(r"^([a-z]{3,})2$")
# Words that carry no topic in a citizen's question, beyond Sastrawi's list.
EXTRA_STOPWORDS = {
    "admin",
    "kakak",
    "deh",
    "sih",
    "nih",
    "tolong",
    "halo",
    "hai",
    "pagi",
    "siang",
    "sore",
    "malam",
    "selamat",
    "terima",
    "kasih",
    "mas",
    "mbak",
    "bu",
    "pak",
    "info",
    "informasi",
    "gimana",
    "dimana",
    "gmn",
    "ya",
    "yah",
    "ok",
    "oke",
    "mohon",
    "bantu",
    "tanya",
    "nanya",
    "dong",
    "loh",
    "lho",
    "kok",
    "kah",
    "tuh",
    "nya",
    "mana",
    "apa",
    "sama",
    "aja",
    "mau",
    "ingin",
    "butuh",
    "perlu",
    "harus",
    "bagaimana",
    "caranya",
    "cara",
    "jelas",
    "kira",
}
SYNONYM_WEIGHT = 0.35
REPAIR_WEIGHT = 0.8


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def _sastrawi_stopwords() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if len(word) <= 3 or "_" in word or any(ch.isdigit() for ch in word):
        return word
    result: str = _stemmer().stem(word)
    return result or word


def load_lexicon(extra: Path | None = None) -> dict[str, Any]:
    """The bundled lexicon, merged with a city's `sinonim.yml` when present."""
    lex: dict[str, Any] = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    if extra is not None and extra.exists():
        more = yaml.safe_load(extra.read_text(encoding="utf-8")) or {}
        lex["slang"] = {**lex.get("slang", {}), **(more.get("slang") or {})}
        lex["phrases"] = {**lex.get("phrases", {}), **(more.get("phrases") or {})}
        lex["synonyms"] = list(lex.get("synonyms", [])) + list(more.get("synonyms") or [])
    return lex


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes ("Dottoro'ta" -> "dottorota")."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"(?<=[a-z])['’](?=[a-z])", "", text)


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class Analyzer:
    def __init__(self, lexicon: Mapping[str, Any]) -> None:
        self.slang: dict[str, list[str]] = {
            str(k): _TOKEN_RE.findall(fold(str(v))) for k, v in (lexicon.get("slang") or {}).items()
        }
        self.phrases: dict[tuple[str, ...], str] = {}
        for src, dst in (lexicon.get("phrases") or {}).items():
            key = tuple(self._deslang(_TOKEN_RE.findall(fold(str(src)))))
            if len(key) >= 2:
                self.phrases[key] = "_".join(_TOKEN_RE.findall(fold(str(dst))))
        self.max_phrase = max((len(k) for k in self.phrases), default=1)
        self.stopwords = _sastrawi_stopwords() | EXTRA_STOPWORDS
        # Synonym groups as analysed terms, so they meet the index vocabulary.
        self.synonyms: dict[str, set[str]] = {}
        for group in lexicon.get("synonyms") or []:
            terms = {t for item in group for t in self._group_term(str(item))}
            for term in terms:
                self.synonyms.setdefault(term, set()).update(terms - {term})

    def _group_term(self, text: str) -> list[str]:
        terms = self.terms(text)
        toks = self.tokens(text)
        # A multi-word entry stands for its phrase token when it has one.
        phrase = [t for t in toks if "_" in t]
        return phrase or terms[:1]

    def _deslang(self, tokens: Iterable[str]) -> list[str]:
        out: list[str] = []
        for tok in tokens:
            if tok not in self.slang:
                tok = _REDUP_RE.sub(r"\1", tok)  # "ciri2", "sembuh2" -> reduplication
            out.extend(self.slang.get(tok, [tok]))
        return out

    def tokens(self, text: str) -> list[str]:
        """Folded, de-slanged surface tokens; a known phrase adds one joined token after its words."""
        base = self._deslang(_TOKEN_RE.findall(fold(text)))
        out: list[str] = []
        i = 0
        while i < len(base):
            out.append(base[i])
            for n in range(min(self.max_phrase, len(base) - i), 1, -1):
                joined = self.phrases.get(tuple(base[i : i + n]))
                if joined:
                    out.extend(base[i + 1 : i + n])
                    out.append(joined)
                    i += n - 1
                    break
            i += 1
        return out

    def surface(self, text: str) -> str:
        """De-slanged text for the dense model (it reads words, not stems)."""
        return " ".join(t for t in self._deslang(_TOKEN_RE.findall(fold(text))))

    def term(self, token: str) -> str | None:
        if len(token) < 2 or token in self.stopwords:
            return None
        stemmed = stem(token)
        if stemmed != token:
            # Slang under an affix: "bikinnya" -> "bikin" -> "buat", "ongkosnya" -> "biaya".
            repl = self.slang.get(stemmed)
            if repl and len(repl) == 1:
                stemmed = stem(repl[0])
        if stemmed in self.stopwords or len(stemmed) < 2:
            return None
        return stemmed

    def terms(self, text: str) -> list[str]:
        return [t for t in (self.term(tok) for tok in self.tokens(text)) if t]

    def pairs(self, text: str) -> list[tuple[str, str]]:
        """(surface, term) for every content token; used to learn the surface vocabulary."""
        return [(tok, t) for tok in self.tokens(text) if (t := self.term(tok))]

    def query_terms(self, text: str, vocab: Vocabulary) -> tuple[dict[str, float], int]:
        """Weighted query terms and how many of the query's content words the index knows."""
        weights: dict[str, float] = {}
        known = 0
        for tok in self.tokens(text):
            term = self.term(tok)
            if term is None:
                continue
            if term in vocab.terms:
                weights[term] = max(weights.get(term, 0.0), 1.0)
                known += 1
                continue
            repaired = vocab.repair(tok, self)
            if repaired:
                weights[repaired] = max(weights.get(repaired, 0.0), REPAIR_WEIGHT)
                known += 1
            else:
                weights.setdefault(term, 1.0)
        for term, w in list(weights.items()):
            for syn in self.synonyms.get(term, ()):
                if syn in vocab.terms and syn not in weights:
                    weights[syn] = SYNONYM_WEIGHT * w
        return weights, known


class Vocabulary:
    """The index's terms, plus a lookup that repairs unseen query words onto them."""

    def __init__(self, terms: Mapping[str, int], surface: Mapping[str, str]) -> None:
        self.terms = terms  # term -> document frequency
        self.surface = surface  # surface word -> term
        self._by_delete: dict[str, list[str]] = {}
        for word in surface:
            if len(word) >= 4:
                for d in _deletes(word):
                    self._by_delete.setdefault(d, []).append(word)

    def _colloquial(self, tok: str) -> list[str]:
        """Standard forms of Jakarta-colloquial verbs: ngurus->urus, nyari->cari, daftarin->daftarkan."""
        cands: list[str] = []
        stems = [tok]
        if tok.endswith("in") and len(tok) > 5:
            stems += [tok[:-2] + "kan", tok[:-2]]
        for w in stems:
            if w.startswith("nge") and len(w) > 5:
                cands.append(w[3:])
            if w.startswith("ng") and len(w) > 4 and w[2] in _VOWELS:
                cands += [w[2:], "k" + w[2:]]
            if w.startswith("ny") and len(w) > 4 and w[2] in _VOWELS:
                cands += ["s" + w[2:], "c" + w[2:]]
            cands.append(w)
        return cands

    def repair(self, tok: str, analyzer: Analyzer) -> str | None:
        for cand in self._colloquial(tok):
            term = analyzer.term(cand)
            if term and term in self.terms:
                return term
        if len(tok) < 4 or any(ch.isdigit() for ch in tok):
            return None
        best: tuple[int, str] | None = None
        for d in _deletes(tok):
            for word in self._by_delete.get(d, ()):
                # One edit, or a swap of neighbours; short words only take an insertion/deletion.
                if len(tok) < 6 and len(word) == len(tok):
                    continue
                term = self.surface[word]
                df = self.terms.get(term, 0)
                if best is None or df > best[0]:
                    best = (df, term)
        return best[1] if best else None
