"""Production modules offer no entry points that only the tests use."""

from attendance import services


def test_services_offer_no_unlocked_sign_up_and_no_private_helpers():
    # The race tests' unlocked sign-up lives in tests/attendance/test_concurrency.py.
    assert not hasattr(services, "registration_create_unlocked")
    private = [
        name
        for name, value in vars(services).items()
        if name.startswith("_") and not name.startswith("__") and callable(value)
    ]
    assert private == []
