"""Errors a user can see: one line each, naming the file or thing and the problem."""

from __future__ import annotations


class QualcodeError(Exception):
    """A problem with the user's input or project, reported as one line and a non-zero exit."""

    exit_code = 1


class ProjectError(QualcodeError):
    """The project cannot be opened or is not a qualcode project."""


class InputError(QualcodeError):
    """An input file or argument is malformed; nothing was written."""


class NotFoundError(QualcodeError):
    """A named code, theme, source, participant or coder does not exist."""
