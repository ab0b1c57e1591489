"""What the tests need to tell the platform's mails apart."""


def is_report_offer(message) -> bool:
    """The half-year report's link mail to the steering group (the demo sends one:
    reports.demo)."""
    return "/overblik/halvaar/" in message.body
