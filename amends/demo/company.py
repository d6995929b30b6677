"""The demo company: departments, employees for every role, the catalogue and the customers.

Each is created once: loading the demo again finds what is already there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from amends.accounts.models import Department, User
from amends.accounts.roles import Role
from amends.customers.models import Component, Contact, Organisation, Product, Supplier

from .texts import (
    CITIES,
    CONTACT_POSITIONS,
    DEPARTMENTS,
    ORGANISATIONS,
    PHRASES,
    PRODUCTS,
    STREETS,
    SUPPLIERS,
    USERS,
    Person,
    make_person,
    translit,
)

PASSWORD = "amends-demo"
MOBILE_CODES = ["903", "905", "909", "915", "916", "921", "926", "950", "977", "985", "999"]
MAIL_DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru"]


@dataclass
class Customer:
    contact: Contact | None
    organisation: Organisation | None
    person: Person | None


def _phone(rng: random.Random, code: str | None = None) -> str:
    code = code or rng.choice(MOBILE_CODES)
    rest = 10 - len(code)
    digits = f"{rng.randrange(10 ** rest):0{rest}d}"
    if rest == 7:
        return f"+7 ({code}) {digits[:3]}-{digits[3:5]}-{digits[5:]}"
    return f"+7 ({code}) {digits[:2]}-{digits[2:4]}-{digits[4:]}"


def _address(rng: random.Random, city: list[str], office: bool) -> str:
    name, _code, index = city
    postcode = (index + f"{rng.randrange(10 ** 6):06d}")[:6]
    place = PHRASES["office" if office else "flat"].format(number=rng.randint(1, 450 if office else 240))
    street = rng.choice(STREETS)
    return PHRASES["address"].format(
        postcode=postcode, city=name, street=street, house=rng.randint(1, 120), place=place,
    )


def create_departments() -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for key, (name, name_en, name_hy) in DEPARTMENTS.items():
        department, _ = Department.objects.update_or_create(
            name=name, defaults={"name_en": name_en, "name_hy": name_hy},
        )
        departments[key] = department
    return departments


def create_users(departments: dict[str, Department]) -> dict[str, User]:
    password = make_password(PASSWORD)  # hashed once: the same password for every demo user
    groups = {group.name: group for group in Group.objects.all()}
    users: dict[str, User] = {}
    for number, (username, role, first, last, position, dept, heads) in enumerate(USERS):
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name, user.position = first, last, position
        user.email = f"{translit(first)[0]}.{translit(last)}@amends-demo.ru"
        user.phone = PHRASES["user_phone"].format(extension=101 + number)
        user.department = departments[dept] if dept else None
        user.password = password
        user.is_active = True
        user.is_superuser = user.is_staff = role == Role.ADMINISTRATOR
        user.save()
        user.groups.set([groups[role]])
        if heads:
            Department.objects.filter(pk=departments[dept].pk).update(head=user)
        users[username] = User.objects.get(pk=user.pk)  # fresh, so its roles are read anew
    return users


def create_catalogue() -> tuple[list[Product], dict[int, list[tuple[Component, int]]]]:
    suppliers: dict[str, Supplier] = {}
    for key, (name, name_en) in SUPPLIERS.items():
        suppliers[key], _ = Supplier.objects.get_or_create(name=name, defaults={"name_en": name_en})
    products: list[Product] = []
    components: dict[int, list[tuple[Component, int]]] = {}
    for name, name_en, name_hy, code, parts in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "name_hy": name_hy, "code": code},
        )
        products.append(product)
        components[product.pk] = []
        for part, part_en, supplier, weight in parts:
            component, _ = Component.objects.get_or_create(
                name=part, product=product,
                defaults={"name_en": part_en, "supplier": suppliers[supplier]},
            )
            components[product.pk].append((component, weight))
    return products, components


def _organisation_name(form: str, name: str) -> str:
    template = "sole_trader_name" if form == PHRASES["sole_trader"] else "organisation"
    return PHRASES[template].format(form=form, name=name)


def create_customers(rng: random.Random) -> tuple[list[Customer], list[Organisation]]:
    used: set[str] = set()
    organisations: list[Organisation] = []
    domains: dict[int, str] = {}  # organisation's pk: its internet domain, for its contacts' e-mails
    for number, (form, name, domain) in enumerate(ORGANISATIONS):
        city = rng.choice(CITIES)
        full = _organisation_name(form, name)
        organisation = Organisation.objects.filter(name=full).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=full, tax_id=f"{rng.randrange(10 ** 9, 10 ** 10)}",
                phone=_phone(rng, city[1]), email=f"info@{domain}.ru",
                address=_address(rng, city, office=True), is_key_account=number % 7 == 0,
            )
        domains[organisation.pk] = domain
        organisations.append(organisation)
    customers: list[Customer] = []
    # Every organisation has a contact, some two or three; then private persons.
    slots: list[Organisation | None] = [*organisations, *rng.sample(organisations, 18), *rng.sample(organisations, 4)]
    slots += [None] * 18
    for organisation in slots:
        person = make_person(rng, used)
        if organisation is not None:
            email = f"{translit(person.first)[0]}.{translit(person.last)}@{domains[organisation.pk]}.ru"
            address = organisation.address
            position = rng.choice(CONTACT_POSITIONS)
        else:
            email = f"{translit(person.last)}{rng.randint(1, 99)}@{rng.choice(MAIL_DOMAINS)}"
            address = _address(rng, rng.choice(CITIES), office=False)
            position = ""
        contact = Contact.objects.filter(full_name=person.full_name, organisation=organisation).first()
        if contact is None:
            contact = Contact(
                organisation=organisation, full_name=person.full_name, position=position,
                phone=_phone(rng), email=email, address=address,
            )
            contact.save()
        customers.append(Customer(contact=contact, organisation=organisation, person=person))
    return customers, organisations
