"""A form submitted twice (a double tap, a retry on a weak network, the back button) is acted
on once: every form that creates something carries a one-time key, as pretix does with its
check-in nonce. The key is written in the same transaction as what the form creates; a second
submission with the same key finds it and is sent where the first one went.
"""

import re
import secrets
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from members.models import FormSubmission

FIELD = "once"
_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    return secrets.token_hex(16)


def once(view):
    """Run a POST view at most once per form key; the repeat is redirected to the first
    result. A form sent back with errors keeps its key free, so the corrected form goes on."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _KEY.match(key) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        full_key = f"{request.user.pk}:{key}"
        try:
            with transaction.atomic():
                # Taken first: a twin request racing this one waits here, then finds it.
                submission = FormSubmission.objects.create(key=full_key, user=request.user)
                response = view(request, *args, **kwargs)
                if response.status_code not in (301, 302, 303):
                    transaction.set_rollback(True)  # errors shown: the key stays free
                    return response
                submission.result_url = response["Location"][:300]
                submission.save(update_fields=["result_url"])
                return response
        except IntegrityError:
            first = FormSubmission.objects.filter(key=full_key).first()
            if first is None:
                raise  # the form's own write failed: not a repeat
            messages.info(request, _("This was already sent; it was saved once."))
            return redirect(first.result_url or request.path)

    return wrapped
