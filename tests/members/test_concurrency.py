import threading

import pytest
from django.db import connection, connections

from members import services
from members.errors import MembersError
from members.models import MemberImport, User
from tests.members.xlsx import xlsx_upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="select_for_update is a no-op on SQLite"
    ),
]


def test_double_tap_on_import_confirm_writes_once(org_tree, secretary_of):
    secretary = secretary_of(org_tree.cell_a1a)
    preview = services.preview_member_import(
        secretary, upload=xlsx_upload([["Một", "02.000001", "A1a", "", ""]])
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm():
        barrier.wait()
        try:
            services.apply_member_import(secretary, member_import=preview.member_import)
            outcomes.append("applied")
        except MembersError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["applied", "import_already_applied"]
    assert User.objects.filter(party_card_number="02.000001").count() == 1
    assert MemberImport.objects.get().status == MemberImport.Status.APPLIED
