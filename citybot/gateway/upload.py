"""One photo from a multipart body, streamed into memory with a cap on the file part itself.

Starlette's form parser spools big files to temporary files before any handler can look at
their size; this reads the stream once, keeps at most `max_bytes` of the one file part, and
writes nothing to disk (the media store writes the image only once it is accepted).
"""

from __future__ import annotations

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from citybot.gateway.bodylimit import BodyTooLarge

MAX_PARTS = 4
FIELD_MAX = 1024


class BadUpload(Exception):
    """Not a multipart body with a `photo` file part."""


class _Collector:
    def __init__(self, field: str, max_bytes: int) -> None:
        self.field, self.max_bytes = field, max_bytes
        self.parts = 0
        self.header_field = b""
        self.header_value = b""
        self.disposition = b""
        self.current: bytearray | None = None
        self.current_is_file = False
        self.file: bytes | None = None
        self.too_large = False

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise BadUpload("too many parts")
        self.disposition, self.current, self.current_is_file = b"", bytearray(), False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_field.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        self.current_is_file = options.get(b"name") == self.field.encode() and b"filename" in options

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        assert self.current is not None
        limit = self.max_bytes if self.current_is_file else FIELD_MAX
        if len(self.current) + (end - start) > limit:
            raise BodyTooLarge() if self.current_is_file else BadUpload("field too long")
        self.current += data[start:end]

    def on_part_end(self) -> None:
        if self.current_is_file and self.file is None and self.current is not None:
            self.file = bytes(self.current)
        self.current = None


async def read_file_part(request: Request, field: str, max_bytes: int) -> bytes:
    """The bytes of the file part named `field`; BodyTooLarge (413) past `max_bytes`."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadUpload("not multipart/form-data")
    collector = _Collector(field, max_bytes)
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    async for chunk in request.stream():
        parser.write(chunk)
    parser.finalize()
    if collector.file is None:
        raise BadUpload(f"no file part named {field!r}")
    return collector.file
