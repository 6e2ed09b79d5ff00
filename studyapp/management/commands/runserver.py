"""`manage.py runserver`: whitenoise's (no static files from Django in development, as in
production) on a server without the delayed-ACK stall (studyapp/devserver.py). `studyapp` comes
before `whitenoise.runserver_nostatic` in INSTALLED_APPS so that this command is the one found."""
from whitenoise.runserver_nostatic.management.commands.runserver import Command as WhiteNoiseRunserver

from studyapp.devserver import WSGIServer


class Command(WhiteNoiseRunserver):
    server_cls = WSGIServer
