import factory

from bangban.accounts.models import Role
from bangban.public.models import ContactCard
from tests.factories import MembershipFactory, UserFactory


class ContactCardFactory(factory.django.DjangoModelFactory):
    """A published card of a specialist (with the membership that lets them have one)."""

    class Meta:
        model = ContactCard
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"专员{n}")
    staff_number = factory.Sequence(lambda n: f"BZ-BB-{n:03d}")
    title = "帮办代办专员"
    phone = factory.Sequence(lambda n: f"1370000{n:04d}")
    services = "全流程帮办代办\n材料形式审核"
    is_published = True

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create and extracted is not False:
            MembershipFactory(user=self.user, role=kwargs.get("role", Role.SPECIALIST),
                              **({"agency": kwargs["agency"]} if "agency" in kwargs else {}))
