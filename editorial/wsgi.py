import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")

application = get_wsgi_application()

# Without a broker nothing else publishes scheduled articles: the serving process runs the schedule.
from editorial import celery, local_beat  # noqa: E402  (needs the settings get_wsgi_application set up)

celery.prepare()
local_beat.start_if_configured()
