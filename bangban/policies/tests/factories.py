import datetime

import factory

from bangban.policies.models import Policy, PolicyTag


class PolicyTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyTag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"标签{n}")
    slug = factory.Sequence(lambda n: f"tag{n}")


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"产业扶持政策第{n}号")
    issuing_body = "滨州市人民政府"
    document_number = factory.Sequence(lambda n: f"滨政发〔2025〕{n}号")
    issued_on = datetime.date(2025, 3, 1)
    summary = "对新建项目给予补助。"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
