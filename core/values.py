"""Values as a service receives them from a page's form, the API or an import."""


def typed(values: dict, name: str) -> str:
    """The text typed for `name`, without surrounding spaces; "" when none was."""
    return (values.get(name) or "").strip()
