"""The quiz's value objects live in a pure module: forms read them without the selectors."""

import ast
from pathlib import Path

import courses
from courses.lib.quiz import Choice, Question


def test_a_question_knows_its_choices():
    question = Question(
        id="q",
        kind="multiple",
        text="?",
        choices=(Choice("a", "A", True, ""), Choice("b", "B", False, "")),
    )
    assert question.choice_ids == {"a", "b"}
    assert question.correct_ids == {"a"}
    assert question.choice("b").text == "B"


def test_forms_do_not_import_the_selectors():
    imported = []
    for path in (Path(courses.__file__).parent / "forms").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported += [node.module or "", *(alias.name for alias in node.names)]
            elif isinstance(node, ast.Import):
                imported += [alias.name for alias in node.names]
    assert not any("selectors" in name for name in imported)
