import pytest
from django.utils import translation

from bangban.catalog.models import DefaultItem, Matter, MatterMaterial, Stage


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def snapshot():
    """Every catalog row, column by column, so a test can tell whether anything changed."""

    def take():
        return {
            "stages": list(Stage.objects.order_by("pk").values_list()),
            "matters": list(Matter.objects.order_by("pk").values_list()),
            "materials": list(MatterMaterial.objects.order_by("pk").values_list()),
            "default_items": list(DefaultItem.objects.order_by("pk").values_list()),
            "prerequisites": list(
                Matter.prerequisites.through.objects.order_by("pk").values_list()
            ),
        }

    return take
