"""A realistic, deterministic demo bloc: the same database every time, however often it runs."""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from members.models import Membership, Organization, Role, RoleAssignment, User
from members.text import fold

DEMO_PASSWORD = "hoctap2026"  # noqa: S105 -- printed for the demo, never used in production

SURNAMES = (
    ["Nguyễn"] * 12
    + ["Trần"] * 5
    + ["Lê"] * 4
    + ["Phạm"] * 3
    + ["Hoàng"] * 2
    + ["Huỳnh", "Phan"]
    + ["Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Tạ"]
)
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân", "Ngọc", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Kim", "Phương", "Hồng", "Diệu"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Thành",
    "Trung",
    "Tuấn",
    "Việt",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nga",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Thu",
    "Trang",
    "Uyên",
    "Vân",
    "Yến",
]

# (code, name, [(grassroots code, name, [cell names])])
UPPER_COMMITTEES = [
    (
        "BTP",
        "Đảng bộ Bộ Tư pháp",
        [
            (
                "BTP-VP",
                "Đảng bộ Văn phòng Bộ Tư pháp",
                ["Chi bộ Phòng Hành chính", "Chi bộ Phòng Tổng hợp", "Chi bộ Phòng Quản trị"],
            ),
            (
                "BTP-PL",
                "Đảng bộ Vụ Pháp luật",
                [
                    "Chi bộ Phòng Pháp luật hình sự",
                    "Chi bộ Phòng Pháp luật dân sự",
                    "Chi bộ Phòng Kiểm tra văn bản",
                ],
            ),
            (
                "BTP-THA",
                "Đảng bộ Tổng cục Thi hành án dân sự",
                [
                    "Chi bộ Vụ Nghiệp vụ 1",
                    "Chi bộ Vụ Nghiệp vụ 2",
                    "Chi bộ Vụ Tổ chức cán bộ",
                    "Chi bộ Văn phòng Tổng cục",
                ],
            ),
        ],
    ),
    (
        "BTC",
        "Đảng bộ Bộ Tài chính",
        [
            (
                "BTC-NSNN",
                "Đảng bộ Vụ Ngân sách nhà nước",
                [
                    "Chi bộ Phòng Thu ngân sách",
                    "Chi bộ Phòng Chi ngân sách",
                    "Chi bộ Phòng Tổng hợp",
                ],
            ),
            (
                "BTC-KB",
                "Đảng bộ Kho bạc Nhà nước",
                [
                    "Chi bộ Vụ Kế toán",
                    "Chi bộ Vụ Thanh toán",
                    "Chi bộ Cục Công nghệ thông tin",
                    "Chi bộ Văn phòng Kho bạc",
                ],
            ),
            (
                "BTC-TC",
                "Đảng bộ Tổng cục Thuế",
                ["Chi bộ Vụ Chính sách", "Chi bộ Vụ Kê khai", "Chi bộ Vụ Thanh tra"],
            ),
        ],
    ),
    (
        "BGD",
        "Đảng bộ Bộ Giáo dục và Đào tạo",
        [
            (
                "BGD-VP",
                "Đảng bộ Văn phòng Bộ Giáo dục và Đào tạo",
                ["Chi bộ Phòng Hành chính", "Chi bộ Phòng Truyền thông", "Chi bộ Phòng Thi đua"],
            ),
            (
                "BGD-GDDH",
                "Đảng bộ Vụ Giáo dục Đại học",
                ["Chi bộ Phòng Đào tạo", "Chi bộ Phòng Khảo thí", "Chi bộ Phòng Kiểm định"],
            ),
            (
                "BGD-NXB",
                "Đảng bộ Nhà xuất bản Giáo dục",
                ["Chi bộ Ban Biên tập", "Chi bộ Ban Phát hành", "Chi bộ Ban Kế hoạch"],
            ),
        ],
    ),
    (
        "BYT",
        "Đảng bộ Bộ Y tế",
        [
            (
                "BYT-KCB",
                "Đảng bộ Cục Quản lý Khám chữa bệnh",
                ["Chi bộ Phòng Nghiệp vụ", "Chi bộ Phòng Điều dưỡng", "Chi bộ Phòng Tổng hợp"],
            ),
            (
                "BYT-DP",
                "Đảng bộ Cục Y tế dự phòng",
                ["Chi bộ Phòng Kiểm dịch", "Chi bộ Phòng Dịch tễ", "Chi bộ Phòng Tiêm chủng"],
            ),
            (
                "BYT-QLD",
                "Đảng bộ Cục Quản lý Dược",
                [
                    "Chi bộ Phòng Đăng ký thuốc",
                    "Chi bộ Phòng Quản lý kinh doanh",
                    "Chi bộ Phòng Thanh tra dược",
                    "Chi bộ Văn phòng Cục",
                ],
            ),
        ],
    ),
]
# A grassroots cell sits directly under each upper committee.
DIRECT_CELLS = {
    "BTP": "Chi bộ Báo Pháp luật Việt Nam",
    "BTC": "Chi bộ Tạp chí Tài chính",
    "BGD": "Chi bộ Báo Giáo dục và Thời đại",
    "BYT": "Chi bộ Báo Sức khỏe và Đời sống",
}
BLOC_CODE = "DUK"
BLOC_NAME = "Đảng bộ Khối các cơ quan Trung ương"


@dataclass
class DemoLogin:
    role: str
    login: str
    name: str


def _person(rng: random.Random) -> str:
    female = rng.random() < 0.45
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return f"{rng.choice(SURNAMES)} {middle} {given}"


def _org(parent: Organization | None, code: str, name: str, kind: str) -> Organization:
    existing = Organization.objects.filter(code=code).first()
    if existing:
        return existing
    fields = {"code": code, "name": name, "kind": kind}
    if parent is None:
        return Organization.objects.add_root(create_kwargs=fields)
    return Organization.objects.add_child(
        Organization.objects.get(pk=parent.pk), create_kwargs=fields
    )


def _build_tree() -> tuple[Organization, dict[str, Organization], list[Organization]]:
    bloc = _org(None, BLOC_CODE, BLOC_NAME, Organization.Kind.BLOC_COMMITTEE)
    uppers: dict[str, Organization] = {}
    cells: list[Organization] = []
    for code, name, grassroots in UPPER_COMMITTEES:
        upper = _org(bloc, code, name, Organization.Kind.UPPER_COMMITTEE)
        uppers[code] = upper
        for g_code, g_name, cell_names in grassroots:
            committee = _org(upper, g_code, g_name, Organization.Kind.GRASSROOTS_COMMITTEE)
            for index, cell_name in enumerate(cell_names, start=1):
                cells.append(
                    _org(committee, f"{g_code}-CB{index}", cell_name, Organization.Kind.CELL)
                )
        cells.append(
            _org(upper, f"{code}-CBCS", DIRECT_CELLS[code], Organization.Kind.GRASSROOTS_CELL)
        )
    # Siblings are kept in name order (node_order_by), which moves paths as they are added:
    # read every node back once the tree is complete.
    fresh = Organization.objects.in_bulk([o.pk for o in [bloc, *uppers.values(), *cells]])
    return fresh[bloc.pk], {c: fresh[u.pk] for c, u in uppers.items()}, [fresh[c.pk] for c in cells]


def _ensure_user(password_hash: str, **fields) -> User:
    lookup = (
        {"party_card_number": fields["party_card_number"]}
        if fields.get("party_card_number")
        else {"email": fields["email"]}
    )
    user = User.objects.filter(**lookup).first()
    if user is None:
        user = User(**fields)
        user.password = password_hash
        user.save()
    return user


@transaction.atomic
def seed_demo(members_per_cell: int = 20) -> list[DemoLogin]:
    """Build (or leave as it is) the demo bloc; return the logins worth showing."""
    rng = random.Random(328)  # noqa: S311 -- demo names, not security
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 costs ~0.3 s per call
    bloc, uppers, cells = _build_tree()

    existing_cards = set(User.objects.values_list("party_card_number", flat=True))
    new_users: list[User] = []
    cell_members: dict[int, list[str]] = {}
    serial = 0
    for cell in cells:
        cards = []
        for _ in range(members_per_cell):
            serial += 1
            card = f"01{serial:06d}"
            name = _person(rng)
            cards.append(card)
            if card not in existing_cards:
                user = User(
                    full_name=name,
                    full_name_folded=fold(name),
                    party_card_number=card,
                    email=f"dv{serial:06d}@demo.hoctap.vn",
                    phone=f"09{rng.randrange(10**8):08d}",
                    password=password_hash,
                )
                new_users.append(user)
        cell_members[cell.pk] = cards
    User.objects.bulk_create(new_users, batch_size=500)

    users_by_card = {
        u.party_card_number: u for u in User.objects.filter(party_card_number__startswith="01")
    }
    has_cell = set(Membership.objects.current().values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(user=users_by_card[card], organization_id=cell_pk)
            for cell_pk, cards in cell_members.items()
            for card in cards
            if users_by_card[card].pk not in has_cell
        ],
        batch_size=500,
    )

    roles: list[tuple[User, Organization, str]] = []
    for cell in cells:
        cards = cell_members[cell.pk]
        roles.append((users_by_card[cards[0]], cell, Role.SECRETARY))
        roles.append((users_by_card[cards[1]], cell, Role.DEPUTY_SECRETARY))
    # The committee directly above the cells is led too: cell secretaries' essays go there.
    parents = Organization.objects.filter(
        path__in={cell.path[: -cell.steplen] for cell in cells}
    ).order_by("path")
    for parent in parents:
        first = next(cell for cell in cells if cell.path.startswith(parent.path))
        cards = cell_members[first.pk]
        if len(cards) > 4:  # small demos (tests) have too few members to spare
            roles.append((users_by_card[cards[3]], parent, Role.SECRETARY))
            roles.append((users_by_card[cards[4]], parent, Role.DEPUTY_SECRETARY))

    admin = _ensure_user(
        password_hash,
        full_name="Quản trị hệ thống",
        email="admin@demo.hoctap.vn",
        is_staff=True,
        is_superuser=True,
    )
    board = _ensure_user(
        password_hash, full_name="Trần Thị Tuyên Giáo", email="tuyengiao@demo.hoctap.vn"
    )
    roles += [(admin, bloc, Role.ADMINISTRATOR), (board, bloc, Role.PROPAGANDA_OFFICER)]
    logins = [
        DemoLogin("administrator", admin.email, admin.full_name),
        DemoLogin("propaganda officer, whole bloc", board.email, board.full_name),
    ]
    for code, upper in uppers.items():
        officer = _ensure_user(
            password_hash,
            full_name=f"Cán bộ Tuyên giáo {upper.name.removeprefix('Đảng bộ ')}",
            email=f"tuyengiao.{code.lower()}@demo.hoctap.vn",
        )
        roles.append((officer, upper, Role.PROPAGANDA_OFFICER))
        if code == "BTP":
            logins.append(
                DemoLogin(f"propaganda officer, {upper.name}", officer.email, officer.full_name)
            )
    for user, org, role in roles:
        RoleAssignment.objects.get_or_create(user=user, organization=org, role=role)

    first_cell = cells[0]
    secretary, member = cell_members[first_cell.pk][0], cell_members[first_cell.pk][2]
    logins += [
        DemoLogin(
            f"cell secretary, {first_cell.name}", secretary, users_by_card[secretary].full_name
        ),
        DemoLogin(f"member, {first_cell.name}", member, users_by_card[member].full_name),
    ]
    return logins
