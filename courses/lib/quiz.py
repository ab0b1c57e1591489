"""The quiz's value objects: a question of a course revision and its choices.

Pure data, no queries: the selectors build them from a revision (`selectors.quiz_questions`), the
forms show them and the services mark the answers against them.
"""

from __future__ import annotations

from dataclasses import dataclass

from courses.blocks import QuestionBlock


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: str
    choices: tuple[Choice, ...]

    @property
    def choice_ids(self) -> set[str]:
        return {choice.id for choice in self.choices}

    @property
    def correct_ids(self) -> set[str]:
        return {choice.id for choice in self.choices if choice.correct}

    @property
    def is_multiple(self) -> bool:
        return self.kind == QuestionBlock.MULTIPLE

    def choice(self, choice_id: str) -> Choice:
        return next(choice for choice in self.choices if choice.id == choice_id)
