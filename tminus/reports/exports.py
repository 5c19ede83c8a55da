"""Reports as Markdown files, from the same data the printable pages show."""

from django.template.loader import render_to_string


def status_report_markdown(report: dict) -> str:
    return render_to_string("reports/status_report.md", report)


def weekly_report_markdown(report: dict) -> str:
    return render_to_string("reports/weekly_report.md", report)
