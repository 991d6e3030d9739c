"""The pages where a user creates, lists and revokes their personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def tokens_page(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row, text = tokens.create_token(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_in_days=form.cleaned_data["expires_in_days"] or None,
        )
        # Shown in this response only: nothing keeps the token itself.
        return render(request, "api/token_created.html", {"token": row, "text": text})
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens.tokens_of(request.user)},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        tokens.revoke_token(token, actor=request.user)
    except tokens.TokenError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens")
