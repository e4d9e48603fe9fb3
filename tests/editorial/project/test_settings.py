from editorial.settings import mailer_from_url


def test_it_defaults_to_printing_email():
    assert mailer_from_url("") == {"BACKEND": "editorial.emails.SummaryBackend"}


def test_it_reads_an_smtp_url():
    mailer = mailer_from_url("smtp+tls://user:secret@mail.example.org:587")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "mail.example.org",
        "port": 587,
        "username": "user",
        "password": "secret",
        "use_tls": True,
        "timeout": 10,
    }


def test_without_a_mail_server_each_e_mail_is_one_line_on_the_console(capsys):
    from django.core.mail import EmailMultiAlternatives

    from editorial.emails import SummaryBackend

    message = EmailMultiAlternatives(
        "Review requested: Tide tables", "Body\n" * 40, to=["editor@example.org"]
    )
    message.attach_alternative("<p>" + "Body " * 200 + "</p>", "text/html")
    assert SummaryBackend().send_messages([message]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == "e-mail to editor@example.org: Review requested: Tide tables  (the outbox in /admin/ shows it)\n"
    )
