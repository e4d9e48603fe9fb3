from editorial.settings import mailer_from_url


def test_it_defaults_to_printing_email():
    assert mailer_from_url("") == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}


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
