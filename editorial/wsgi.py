import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")

application = get_wsgi_application()

# These need the settings get_wsgi_application set up.
from django.core.cache import caches  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from editorial import celery, errors, local_beat  # noqa: E402

# A Content-Type header Django cannot parse is answered 400 here: Django would fail making the request.
application = errors.readable_content_type(application)

# Done now rather than in the first request, which would wait a few hundred milliseconds for them: every
# view and admin module (the URLconf), the cache client, the task modules and the broker's transport.
get_resolver().url_patterns  # noqa: B018
caches["default"]
celery.prepare()

# Without a broker nothing else publishes scheduled articles: the serving process runs the schedule.
local_beat.start_if_configured()
