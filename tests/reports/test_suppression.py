"""Small-number suppression (reports.lib.suppression): nothing from 1 to 4 is shown, and nothing
shown lets anyone work a hidden count out, including by a deliberate attempt."""

from fractions import Fraction

import pytest

from reports.lib import suppression
from reports.lib.suppression import Table, suppress, suppress_linked


def _keys(table: Table):
    keys = set()
    for line in table._lines():
        keys.update(line)
    return sorted(keys, key=str)


def differencing_attack(table: Table) -> dict:
    """What an attacker reads off at once: in any line with one hidden cell, total minus the shown
    parts (or the shown parts' sum, when the total is the hidden one), again with what it found."""
    known = {key: table.value(key) for key in _keys(table) if not table.is_hidden(key)}
    found = {}
    progress = True
    while progress:
        progress = False
        for line in table._lines():
            unknown = [key for key in line if key not in known]
            if len(unknown) != 1:
                continue
            key = unknown[0]
            parts, total = line[:-1], line[-1]
            if key == total:
                value = sum(known[k] for k in parts)
            else:
                value = known[total] - sum(known[k] for k in parts if k != key)
            known[key] = found[key] = value
            progress = True
    return found


def determined(table: Table) -> set:
    """The hidden cells that the shown figures fix by linear algebra (every line's equation:
    parts sum to the total), found by Gaussian elimination over the hidden unknowns."""
    hidden = [key for key in _keys(table) if table.is_hidden(key)]
    index = {key: i for i, key in enumerate(hidden)}
    rows = []
    for line in table._lines():
        coefficients = [Fraction(0)] * len(hidden)
        constant = Fraction(0)
        for position, key in enumerate(line):
            sign = -1 if position == len(line) - 1 else 1
            if key in index:
                coefficients[index[key]] += sign
            else:
                constant -= sign * table.value(key)
        if any(coefficients):
            rows.append(coefficients + [constant])
    # Reduced row echelon form.
    pivot_row = 0
    pivots = []
    for column in range(len(hidden)):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][column]
        rows[pivot_row] = [value / lead for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivots.append((pivot_row, column))
        pivot_row += 1
    fixed = set()
    for r, column in pivots:
        if all(rows[r][c] == 0 for c in range(len(hidden)) if c != column):
            fixed.add(hidden[column])
    return fixed


def assert_safe(table: Table) -> None:
    for key in _keys(table):
        if suppression.is_small(table.value(key)):
            assert table.is_hidden(key), key
    assert differencing_attack(table) == {}
    small_fixed = {k for k in determined(table) if suppression.is_small(table.value(k))}
    assert small_fixed == set()


def test_a_small_count_is_hidden_and_zero_and_five_are_shown():
    table = suppress(Table(cells=[[5, 0, 7, 2], [10, 6, 0, 9]], parts=4))
    assert table.hidden[0][3] is True
    assert table.hidden[0][1] is False  # 0 is no one: shown
    assert table.hidden[1][1] is False  # 6 needs no hiding: its row and column hide two others
    assert_safe(table)


def test_the_deliberate_attack_reveals_a_cell_that_only_primary_suppression_hides():
    # Row A: 10 valid, 3 expiring, 0 expired, 7 missing (20 required).
    cells = [[10, 3, 0, 7], [20, 6, 5, 5]]
    naive = Table(cells=cells, parts=4)
    suppression._primary(naive)
    assert naive.hidden[0][1] is True
    # 20 required minus the shown 10 + 0 + 7: the hidden 3 is out.
    assert differencing_attack(naive)[("cell", 0, 1)] == 3
    assert ("cell", 0, 1) in determined(naive)

    safe = suppress(Table(cells=cells, parts=4))
    assert_safe(safe)
    # At least one more cell went in row A and in the expiring column.
    assert sum(safe.hidden[0]) + safe.row_total_hidden[0] >= 2
    assert sum(row[1] for row in safe.hidden) + safe.total_hidden[1] >= 2


def test_a_hidden_row_total_is_not_given_away_by_the_total_row():
    # A unit of 3 people: its required (3) must go, and the column of totals must not give it.
    cells = [[3, 0, 0, 0], [12, 5, 6, 7], [8, 5, 9, 5]]
    table = suppress(Table(cells=cells, parts=4))
    assert table.row_total_hidden[0] is True
    assert_safe(table)
    assert not table.share_shown(0, (0, 1))


def test_a_share_of_a_small_group_is_never_shown():
    table = suppress(Table(cells=[[2, 1, 0, 1], [30, 5, 5, 10]], parts=4))
    assert not table.share_shown(0, (0, 1))
    assert_safe(table)


def test_a_share_whose_numerator_hides_a_small_count_is_not_shown():
    # 100 people, 2 of them hold the competence: "2 pct." would say 2 people.
    table = suppress(Table(cells=[[2, 0, 0, 98], [50, 10, 10, 30]], parts=4))
    assert table.hidden[0][0] is True
    assert not table.share_shown(0, (0, 1))
    assert_safe(table)


def test_linked_tables_hide_the_same_totals():
    # The same 40 people by unit and by job category; by unit, the total row's expired count
    # (3) is small and hidden; by job category, the table must not show it either.
    by_unit = Table(cells=[[10, 5, 3, 2], [12, 6, 0, 2]], parts=4)
    by_category = Table(cells=[[20, 9, 3, 3], [2, 2, 0, 1]], parts=4)
    suppress_linked([by_unit, by_category])
    assert by_unit.total_hidden == by_category.total_hidden
    assert by_unit.total_hidden[2] is True
    for table in (by_unit, by_category):
        assert_safe(table)


def test_linked_tables_must_share_their_total_row():
    with pytest.raises(ValueError):
        suppress_linked(
            [Table(cells=[[1, 2, 3, 4]], parts=4), Table(cells=[[4, 3, 2, 1]], parts=4)]
        )


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_are_safe(seed):
    import random

    rng = random.Random(seed)
    rows = rng.randint(1, 6)
    cells = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 13, 40]) for _ in range(4)] for _ in range(rows)]
    assert_safe(suppress(Table(cells=cells, parts=4)))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        Table(cells=[[1, 2, 3]], parts=4)
    with pytest.raises(ValueError):
        Table(cells=[[1, 2, 3, -1]], parts=4)


def test_shown_says_less_than_five():
    assert suppression.shown(3, True) == "<5"
    assert suppression.shown(3, False) == 3
