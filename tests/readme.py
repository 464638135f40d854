"""Reading the README as a newcomer does: the settings an example shows are the settings tested."""

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_settings(heading: str) -> dict[str, str]:
    """The settings of the first `sh` block after `heading` in the README (comments dropped)."""
    text = README.read_text()
    block = text[text.index(heading) :].split("```sh\n")[1].split("```")[0]
    pairs = (line.split("#")[0].strip().partition("=") for line in block.splitlines())
    return {name: value for name, _, value in pairs if name}
