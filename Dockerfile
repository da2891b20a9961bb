# The image compose.yaml runs: Herald with PostgreSQL's driver and gunicorn.
FROM python:3.11-slim
WORKDIR /srv/herald
COPY . .
# Editable: Herald finds templates/, static/ and instance/ beside the app package.
RUN pip install --no-cache-dir -e ".[postgres,server]" && useradd --system herald \
    && chown herald instance
USER herald
EXPOSE 8000
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:create_app()"]
