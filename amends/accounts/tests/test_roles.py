"""Roles (DOMAIN.md §9) are groups made by a migration; `User.has_role` reads them."""

import pytest
from django.contrib.auth.models import Group

from amends.accounts.models import User
from amends.accounts.roles import ROLE_PERMISSIONS, Role


def test_every_role_has_its_permissions_in_the_table():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_the_migration_made_one_group_per_role(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    for role in Role.values:
        assert Group.objects.filter(name=role).count() == 1


@pytest.mark.parametrize("role", Role.values)
def test_each_group_has_exactly_the_permissions_of_its_role(db, role):
    granted = {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == set(ROLE_PERMISSIONS[role])


@pytest.mark.parametrize(
    "role, may, may_not",
    [
        (Role.OPERATOR, "complaints.add_complaint", "complaints.change_complaint"),
        (Role.RESPONSIBLE, "complaints.add_measure", "complaints.add_complaint"),
        (Role.EXECUTOR, "complaints.change_measure", "complaints.add_measure"),
        (Role.QMS_HEAD, "complaints.change_complaint", "complaints.delete_complaint"),
        (Role.MANAGER, "complaints.view_complaint", "complaints.change_complaint"),
    ],
)
def test_a_member_gets_the_group_permissions(make_user, role, may, may_not):
    user = User.objects.get(pk=make_user("member", role).pk)
    assert user.has_perm(may)
    assert not user.has_perm(may_not)


@pytest.mark.parametrize(
    "user, role",
    [("operator", Role.OPERATOR), ("responsible", Role.RESPONSIBLE),
     ("executor", Role.EXECUTOR), ("qms", Role.QMS_HEAD), ("manager", Role.MANAGER)],
)
def test_has_role_is_true_only_for_ones_own_role(db, request, user, role):
    member = request.getfixturevalue(user)
    assert member.has_role(role)
    assert member.roles == {role}
    for other in set(Role.values) - {role}:
        assert not member.has_role(other)


def test_has_role_with_several_roles_means_any_of_them(make_user):
    user = make_user("two", Role.OPERATOR, Role.EXECUTOR)
    assert user.has_role(Role.OPERATOR)
    assert user.has_role(Role.EXECUTOR)
    assert user.has_role(Role.MANAGER, Role.EXECUTOR)
    assert not user.has_role(Role.MANAGER, Role.QMS_HEAD)
    assert not user.has_role()


def test_a_user_without_groups_has_no_role(make_user):
    user = make_user("plain")
    assert user.roles == frozenset()
    assert not any(user.has_role(role) for role in Role.values)


def test_a_superuser_counts_as_administrator(make_user):
    root = make_user("root", is_superuser=True)
    assert root.has_role(Role.ADMINISTRATOR)
    assert root.roles == {Role.ADMINISTRATOR}
    assert not root.has_role(Role.QMS_HEAD)


def test_the_administrator_group_alone_gives_the_role(make_user):
    assert make_user("admin-member", Role.ADMINISTRATOR).has_role(Role.ADMINISTRATOR)


def test_staff_status_alone_is_not_a_role(make_user):
    assert make_user("staff", is_staff=True).roles == frozenset()


def test_roles_are_read_once_per_user_object(make_user, django_assert_num_queries):
    user = User.objects.get(pk=make_user("cached", Role.OPERATOR).pk)
    with django_assert_num_queries(1):
        assert user.has_role(Role.OPERATOR)
        assert not user.has_role(Role.MANAGER)
        assert user.has_role(Role.OPERATOR, Role.EXECUTOR)
