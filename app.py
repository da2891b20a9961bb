"""Run Herald with a production WSGI server: `python app.py [--host H] [--port P]`."""
from app.cli import serve

if __name__ == "__main__":
    serve()
