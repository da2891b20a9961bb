"""Test data ported from Grafana's own tests (github.com/grafana/alerting), kept as data."""
