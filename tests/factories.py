"""One factory per model, no hidden side effects."""

import factory
from factory.django import DjangoModelFactory

from members.models import Membership, Organization, RoleAssignment, User

PASSWORD = "mat-khau-thu-nghiem"


class OrganizationFactory(DjangoModelFactory):
    """Builds a root unless `parent` is given; treebeard computes the path."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Chi bộ số {n}")
    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    kind = Organization.Kind.CELL

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(create_kwargs=kwargs)
        return model_class.objects.add_child(
            model_class.objects.get(pk=parent.pk), create_kwargs=kwargs
        )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    party_card_number = factory.Sequence(lambda n: f"09{n:06d}")
    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = RoleAssignment._meta.get_field("role").choices[0][0]
