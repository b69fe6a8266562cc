"""`qualcode import FILE...` or `import --from sources.csv`; `qualcode sources list|show|edit`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from qualcode.cli.app import (
    DEFAULT_DB,
    DbOption,
    Format,
    FormatOption,
    OutputOption,
    app,
    emit,
    open_db,
    sub_app,
)

sources_app = sub_app("sources", "List sources, show their numbered units, edit their details.")


class ImportProgress:
    """A files bar and a bar for the file being segmented, on a terminal only (in a pipe or a
    log they would be noise around the one-line errors). Per-file lines are printed above the
    bars, never under them, and the bars are cleared when the import ends. Off a terminal rich
    is not even loaded."""

    def __init__(self, files: int) -> None:
        self.bar: Any = None
        if not _maybe_terminal():
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        console = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
        self.bar = Progress(
            *columns,
            console=console,
            transient=True,
            disable=not console.is_terminal,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.overall = self.bar.add_task("files", total=files)
        self.current = self.bar.add_task("", total=None)

    @property
    def live(self) -> bool:
        return self.bar is not None and not self.bar.disable

    def say(self, line: str) -> None:
        """A per-file line on stdout; drawn above the bars when both share the terminal."""
        if self.live and sys.stdout.isatty():
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line)

    def error(self, line: str) -> None:
        if self.live:
            self.bar.console.print(
                f"qualcode: error: {line}", markup=False, highlight=False, soft_wrap=True
            )
        else:
            typer.echo(f"qualcode: error: {line}", err=True)

    def start_file(self, name: str) -> Callable[[int, int], None] | None:
        """The progress callback of the file now segmented."""
        if not self.live:
            return None
        self.bar.update(self.current, description=name, completed=0, total=None)
        return self.progress

    def progress(self, done: int, total: int) -> None:
        if self.live:
            self.bar.update(self.current, completed=done, total=total)

    def file_done(self) -> None:
        if self.live:
            self.bar.advance(self.overall)

    @contextmanager
    def running(self) -> Iterator[ImportProgress]:
        if not self.live:
            yield self
            return
        with self.bar:
            yield self
            self.bar.update(self.current, visible=False)


def _maybe_terminal() -> bool:
    """False only where rich would find no terminal either (stderr no tty, no override)."""
    forced = os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR")
    return bool(forced) or sys.stderr.isatty()


FilesArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Notes, documents or transcripts (.txt, .md, .docx, .odt, .pdf, .vtt, .srt)."
    ),
]
ManifestOption = Annotated[
    Path | None,
    typer.Option(
        "--from",
        help="A manifest CSV: columns file, title, participant, kind, language; any other "
        "column is a participant attribute. All files or none are imported.",
    ),
]
ParticipantOption = Annotated[
    str | None, typer.Option(help="The interviewee these notes belong to.")
]
KindOption = Annotated[str, typer.Option(help="interview or document.")]
LanguageOption = Annotated[
    str | None,
    typer.Option(help="Force one language, e.g. en, ru, kk (default: each paragraph's own)."),
]
TitleOption = Annotated[str | None, typer.Option(help="Title (default: the file name).")]
EncodingOption = Annotated[
    str | None,
    typer.Option(help="Text encoding, e.g. cp1251 (default: UTF-8, UTF-16 or detected)."),
]
ModelOption = Annotated[
    str | None,
    typer.Option(help="An installed trained spaCy pipeline for sentences (default: rules)."),
]
AbbreviationsOption = Annotated[
    Path | None,
    typer.Option(
        help="A file of the project's own abbreviations (one per line), kept for later "
        "imports: their full stops end no sentence."
    ),
]
SpeakersOption = Annotated[
    str | None,
    typer.Option(
        "--speakers",
        help='The interviewer\'s labels in speaker turns, e.g. "Interviewer,I" (for '
        "--no-interviewer in reports and search).",
    ),
]


@app.command("import")
def import_files(
    files: FilesArgument = None,
    from_manifest: ManifestOption = None,
    participant: ParticipantOption = None,
    kind: KindOption = "interview",
    language: LanguageOption = None,
    title: TitleOption = None,
    encoding: EncodingOption = None,
    model: ModelOption = None,
    abbreviations: AbbreviationsOption = None,
    speakers: SpeakersOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import files as sources; each file all or nothing, failures named at the end. With
    --from, every file of a manifest in one transaction."""
    from qualcode import nlp, sources
    from qualcode.errors import InputError

    if (from_manifest is None) == (not files):
        raise InputError("give FILE... or --from MANIFEST.csv (one of them)")
    if title and (from_manifest is not None or len(files or []) > 1):
        raise InputError("--title names one file; import the files one by one")
    if model:
        nlp.pipeline(language or "xx", model)  # a missing model fails once, before any file
    project = open_db(db)
    if abbreviations:
        _keep_abbreviations(project, abbreviations)
    interviewer = tuple(s.strip() for s in (speakers or "").split(",") if s.strip())
    options = sources.SourceOptions(
        participant, kind, language, title, encoding, model, interviewer
    )
    if from_manifest is not None:
        _import_manifest(project, from_manifest, options)
    else:
        _import_each(project, files or [], options)


def _keep_abbreviations(project: Any, path: Path) -> None:
    from qualcode import segments

    words = segments.read_abbreviations(path)
    if words:
        added = project.transaction(lambda session: segments.add_abbreviations(session, words))
        typer.echo(f"{path}: {added} new of {len(words)} abbreviations kept")


def _import_each(project: Any, files: list[Path], options: Any) -> None:
    """Every file a source of its own, all or nothing; the others go on, failures named last."""
    from qualcode.errors import InputError, QualcodeError
    from qualcode.formats.files import import_files as import_all

    failed: list[str] = []
    bars = ImportProgress(len(files))

    def done(path: Path, outcome: int | QualcodeError) -> None:
        if isinstance(outcome, QualcodeError):
            if len(files) == 1:
                raise outcome
            bars.error(str(outcome))
            failed.append(str(path))
        else:
            bars.say(f"{path}: imported as source #{outcome}")
        bars.file_done()

    with bars.running():
        import_all(project, files, options, done, lambda path: bars.start_file(path.name))
    if failed:
        raise InputError(f"{len(failed)} of {len(files)} files not imported: {', '.join(failed)}")


def _import_manifest(project: Any, manifest: Path, options: Any) -> None:
    from qualcode.formats import manifest as manifests

    entries = manifests.read_manifest(manifest, options)
    bars = ImportProgress(len(entries))
    seen: set[int] = set()

    def progress(entry: manifests.Entry, done: int, total: int) -> None:
        if entry.line not in seen:
            if seen:
                bars.file_done()
            seen.add(entry.line)
            bars.start_file(entry.path.name)
        bars.progress(done, total)

    with bars.running():
        done = manifests.import_manifest(project, manifest, options, progress)
    for entry, source_id in done:
        bars.say(f"{entry.path}: imported as source #{source_id}")
    typer.echo(f"{manifest}: {len(done)} sources imported")


@sources_app.command("list")
def sources_list(
    db: DbOption = DEFAULT_DB, fmt: FormatOption = Format.table, output: OutputOption = None
) -> None:
    """Every source: id, title, kind, language, participant, size, units and codings."""
    from qualcode import catalogue

    emit(catalogue.listing(open_db(db)), fmt, output, title="Sources")


@sources_app.command("show")
def sources_show(
    source: Annotated[str, typer.Argument(help="A source title or id.")],
    paragraphs: Annotated[
        bool, typer.Option("--paragraphs", help="Numbered paragraphs, p1, p2, ... (default).")
    ] = False,
    sentences: Annotated[
        bool, typer.Option("--sentences", help="Numbered sentences, s1, ... with pN.sM.")
    ] = False,
    turns: Annotated[
        bool, typer.Option("--turns", help="Numbered speaker turns, t1, t2, ... with speakers.")
    ] = False,
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
) -> None:
    """A source's numbered units with their addresses, to choose what `qualcode code` codes."""
    from qualcode import catalogue
    from qualcode.errors import InputError

    if paragraphs + sentences + turns > 1:
        raise InputError("give one of --paragraphs, --sentences, --turns")
    kind = "sentence" if sentences else "turn" if turns else "paragraph"
    title, df = catalogue.show(open_db(db), source, kind)
    emit(df, fmt, output, title=f"{title}: {kind}s")


@sources_app.command("edit")
def sources_edit(
    source: Annotated[str, typer.Argument(help="A source title or id.")],
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    participant: Annotated[
        str | None,
        typer.Option("--participant", help='The participant ("" for none).'),
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="interview or document.")] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="Language code, e.g. en, ru, kk.")
    ] = None,
    coder: Annotated[str | None, typer.Option(help="Who makes the change (for the log).")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Change a source's title, participant, kind or language (undoable)."""
    from qualcode import catalogue, lookup
    from qualcode.errors import InputError

    if title is None and participant is None and kind is None and language is None:
        raise InputError("give --title, --participant, --kind or --language")

    def work(session):
        who = lookup.coder(session, coder)
        found, changed = catalogue.edit(
            session,
            source,
            title=title,
            participant=participant,
            kind=kind,
            language=language,
            coder_id=who.id,
        )
        return found.title, changed

    name, changed = open_db(db).transaction(work)
    what = ", ".join(changed) if changed else "nothing (the values were already so)"
    typer.echo(f"source {name!r}: changed {what}")
