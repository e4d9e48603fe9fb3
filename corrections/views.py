import logging

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from articles import pages
from articles.models import Article
from articles.views import elsewhere, newest_first
from corrections import services
from corrections.forms import CorrectionRequestForm
from corrections.models import Correction, CorrectionRequest
from editorial.proxies import client_ip

log = logging.getLogger(__name__)

TOO_MANY = "You have sent several reports in the last few minutes. Please wait a little, then send this one."


@never_cache
def new_request(request, slug: str):
    article = Article.objects.at_address(slug).with_live_version().first()
    if article is None:
        return elsewhere(request, slug, "corrections:new")
    context = {"article": article, "version": article.live_version}
    if request.method != "POST":
        quote = request.GET.get("quote", "")[:2000]
        form = CorrectionRequestForm(initial={"quoted_text": quote})
        return render(request, "corrections/new.html", {**context, "form": form})

    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.CORRECTIONS_MAX_BODY_BYTES:
        too_long = "Your report is too long to send. Shorten it to a few paragraphs and send it again."
        context |= {"form": CorrectionRequestForm(), "page_error": too_long}
        return render(request, "corrections/new.html", context, status=413)

    form = CorrectionRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "corrections/new.html", {**context, "form": _kept(form)}, status=400)
    ip = services.ip_hash(client_ip(request) or "")
    if form.honeypot_filled:
        log.warning("corrections: dropped an automated-looking request for %s from %s", slug, ip[:12])
        return render(request, "corrections/thanks.html", context)
    if services.address_over_limit(ip):
        form.add_error(None, TOO_MANY)
        return render(request, "corrections/new.html", {**context, "form": form}, status=429)

    started = form.cleaned_data["started"]
    try:
        correction_request = services.correction_request_receive(
            article, data=form.cleaned_data, ip=ip, nonce=started.nonce, suspected=form.sent_too_fast
        )
    except services.AlreadySent as sent:
        messages.info(request, f"{sent} To report something else, open the form again.")
        return redirect(sent.request.get_status_url())
    messages.success(
        request, f"Thank you. Your report is saved with the reference {correction_request.reference}."
    )
    return redirect(correction_request.get_status_url())


def _kept(form: CorrectionRequestForm) -> CorrectionRequestForm:
    """A refused form as the reader filled it in; when its token was the trouble (expired, tampered
    with), with a fresh one and the message at the top, so that sending again works."""
    if "started" not in form.errors:
        return form
    fresh = form.with_a_new_token()
    for message in form.errors["started"]:
        fresh.add_error(None, message)
    return fresh


@never_cache
def status(request, token: str):
    correction_request = get_object_or_404(
        CorrectionRequest.objects.select_related("article", "article__live_version", "duplicate_of"),
        status_token=token,
    )
    response = render(request, "corrections/status.html", {"correction_request": correction_request})
    response["X-Robots-Tag"] = "noindex"
    return response


def article_pages(article, versions) -> list[str]:
    """The corrections channel's public pages that show an article (hooks.ARTICLE_PAGES): the log and its
    feed name it by the title readers saw."""
    return [reverse("corrections:log"), reverse("corrections:feed")]


class CorrectionsLogView(pages.SurrogateKeys, TemplateView):
    """Every correction and clarification, newest first, twenty-five at a time."""

    template_name = "corrections/log.html"

    def get_context_data(self, **kwargs):
        page = newest_first(Correction.objects.public(), self.request.GET.get("before"), size=25)
        return super().get_context_data(corrections=page.rows, older=page.older, **kwargs)

    def surrogate_keys(self, context):
        return ["corrections"]
