import pytest

from datamodel.errors import StaleVersionError
from handlers.routes.clients import if_match_versions


def test_absent_or_star_if_match_accepts_any_version():
    assert if_match_versions(None) is None
    assert if_match_versions(" * ") is None


def test_if_match_lists_the_versions_it_accepts():
    assert if_match_versions('"3"') == {3}
    assert if_match_versions('"3", "5"') == {3, 5}


@pytest.mark.parametrize("header", ['W/"3"', "3", '"abc"', '""', "garbage"])
def test_if_match_that_cannot_match_a_strong_etag_is_stale(header):
    with pytest.raises(StaleVersionError):
        if_match_versions(header)
