"""The two ways an operation ends without a result (docs/adapter.md §Replies)."""

from __future__ import annotations

from google.protobuf.message import Message

from protos import pb

# What an operation answers: the name of the Response.reply field, its value.
Reply = tuple[str, Message]


class Refused(Exception):
    """The input was refused on purpose: `Rejected{category, detail}`."""

    def __init__(self, category: pb.ErrorCategory, detail: str) -> None:
        super().__init__(detail)
        self.category = category
        self.detail = detail

    @property
    def category_name(self) -> str:
        return pb.ErrorCategory.Name(self.category)


class Unsupported(Exception):
    """The operation (or this use of it) is not implemented."""
