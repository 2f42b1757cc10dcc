"""The console's HTTP edge."""

from oneteam_console.api import acting, screen

routers = [screen.router, acting.router]
