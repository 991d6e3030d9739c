"""Administrators' pages: subscriptions of organisations, their deliveries, replays."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from webhooks import selectors, services
from webhooks.forms import SubscriptionForm
from webhooks.models import Delivery, Subscription

DELIVERIES_PER_PAGE = 25


def _secret_key(subscription) -> str:
    return f"webhooks.secret.{subscription.pk}"


def _show_secret_once(request, subscription, secret: str):
    request.session[_secret_key(subscription)] = secret
    return redirect("webhooks:detail", pk=subscription.pk)


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@role_required(Role.ADMINISTRATOR)
def subscription_list(request):
    return render(
        request,
        "webhooks/list.html",
        {"subscriptions": selectors.subscriptions(), "nav": "webhooks"},
    )


@role_required(Role.ADMINISTRATOR)
def subscription_create(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = services.create_subscription(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The subscription is saved."))
            return _show_secret_once(request, subscription, secret)
    return render(request, "webhooks/form.html", {"form": form, "nav": "webhooks"})


@role_required(Role.ADMINISTRATOR)
def subscription_edit(request, pk):
    subscription = get_object_or_404(Subscription.objects.select_related("organisation"), pk=pk)
    initial = {
        "url": subscription.url,
        "events": subscription.events,
        "description": subscription.description,
    }
    form = SubscriptionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_subscription(
                subscription,
                actor=request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The subscription is saved."))
            return redirect("webhooks:detail", pk=subscription.pk)
    return render(
        request,
        "webhooks/form.html",
        {"form": form, "subscription": subscription, "nav": "webhooks"},
    )


@role_required(Role.ADMINISTRATOR)
def subscription_detail(request, pk):
    subscription = get_object_or_404(Subscription.objects.select_related("organisation"), pk=pk)
    page = Paginator(selectors.deliveries_of(subscription), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "webhooks/detail.html",
        {
            "subscription": subscription,
            "secret": request.session.pop(_secret_key(subscription), None),
            "page_obj": page,
            "nav": "webhooks",
        },
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def subscription_disable(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    services.set_active(subscription, actor=request.user, active=False)
    messages.success(request, _("The subscription is disabled: no more events are sent to it."))
    return redirect("webhooks:detail", pk=pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def subscription_enable(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    services.set_active(subscription, actor=request.user, active=True)
    messages.success(request, _("The subscription is enabled: new events are sent to it."))
    return redirect("webhooks:detail", pk=pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def subscription_secret(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    secret = services.rotate_secret(subscription, actor=request.user)
    messages.success(request, _("A new secret is in use: the old one no longer signs events."))
    return _show_secret_once(request, subscription, secret)


@role_required(Role.ADMINISTRATOR)
def delivery_detail(request, delivery_id):
    try:
        delivery = selectors.delivery(delivery_id)
    except Delivery.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "webhooks/delivery.html",
        {
            "delivery": delivery,
            "subscription": delivery.subscription,
            "body": json.dumps(json.loads(delivery.event.body), indent=2, ensure_ascii=False),
            "nav": "webhooks",
        },
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def delivery_replay(request, delivery_id):
    delivery = get_object_or_404(Delivery, pk=delivery_id)
    try:
        again = services.replay(delivery, actor=request.user)
    except services.ReplayError as error:
        messages.error(request, str(error))
        return redirect("webhooks:delivery", delivery_id=delivery.pk)
    messages.success(request, _("The event is sent again as a new delivery."))
    return redirect("webhooks:delivery", delivery_id=again.pk)
