"""The quiz form: one field per question of an attempt, in the order the attempt shows them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.lib.quiz import Choice, Question


class QuizForm(forms.Form):
    """Every question needs an answer: an unanswered question is more often an oversight than a
    choice, and it would only score 0. The template draws the fieldsets itself (rows())."""

    def __init__(self, *args, questions: list[tuple[Question, list[Choice]]], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question, choices in questions:
            options = [(choice.id, choice.text) for choice in choices]
            if question.is_multiple:
                self.fields[question.id] = forms.MultipleChoiceField(
                    choices=options,
                    error_messages={"required": _("Choose at least one answer.")},
                )
            else:
                self.fields[question.id] = forms.ChoiceField(
                    choices=options, error_messages={"required": _("Choose an answer.")}
                )

    def answers(self) -> dict[str, list[str]]:
        """The cleaned answers as attempt_submit takes them: question id -> choice ids."""
        result = {}
        for question, _choices in self.questions:
            value = self.cleaned_data.get(question.id) or []
            result[question.id] = [value] if isinstance(value, str) else list(value)
        return result

    def _chosen(self, question: Question) -> set[str]:
        if not self.is_bound:
            return set()
        if question.is_multiple:
            return set(self.data.getlist(question.id))
        value = self.data.get(question.id)
        return {value} if value else set()

    def rows(self) -> list[dict]:
        """What the template draws: per question its number, input type, choices (with ids for
        the labels, and whether chosen) and its error."""
        rows = []
        for number, (question, choices) in enumerate(self.questions, 1):
            chosen = self._chosen(question)
            errors = self.errors.get(question.id) if self.is_bound else None
            rows.append(
                {
                    "number": number,
                    "question": question,
                    "name": question.id,
                    "input_type": "checkbox" if question.is_multiple else "radio",
                    "error": errors[0] if errors else "",
                    "choices": [
                        {
                            "id": f"q{number}-a{index}",
                            "value": choice.id,
                            "text": choice.text,
                            "checked": choice.id in chosen,
                        }
                        for index, choice in enumerate(choices, 1)
                    ],
                }
            )
        return rows
