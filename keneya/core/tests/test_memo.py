"""``core.memo``: lookups remembered inside a block only, forgotten by kind."""

from keneya.core.memo import forget, is_remembering, remembered, remembering


def counting() -> tuple[list[int], object]:
    calls: list[int] = []

    def lookup() -> int:
        calls.append(1)
        return len(calls)

    return calls, lookup


def test_outside_a_block_every_call_looks_up() -> None:
    calls, lookup = counting()
    assert remembered("k", 1, lookup) == 1  # type: ignore[arg-type]
    assert remembered("k", 1, lookup) == 2  # type: ignore[arg-type]
    assert not is_remembering()


def test_inside_a_block_the_first_answer_is_kept_per_kind_and_key() -> None:
    calls, lookup = counting()
    with remembering():
        assert is_remembering()
        assert remembered("k", 1, lookup) == 1  # type: ignore[arg-type]
        assert remembered("k", 1, lookup) == 1  # type: ignore[arg-type]
        assert remembered("k", 2, lookup) == 2  # type: ignore[arg-type]
        assert remembered("other", 1, lookup) == 3  # type: ignore[arg-type]
        forget("k")
        assert remembered("k", 1, lookup) == 4  # type: ignore[arg-type]
        assert remembered("other", 1, lookup) == 3  # type: ignore[arg-type]
    assert not is_remembering()
    assert remembered("k", 1, lookup) == 5  # type: ignore[arg-type]


def test_none_is_remembered_too() -> None:
    calls: list[int] = []

    def lookup() -> None:
        calls.append(1)

    with remembering():
        remembered("k", 1, lookup)
        remembered("k", 1, lookup)
    assert len(calls) == 1
