"""Image file names in the output that do not depend on the order pages were read in.

Two images with the same file name in different folders (``thursday/chart.svg``
and ``friday/chart.svg``) are copied to ``_images/`` under unique names:
Sphinx's ``FilenameUniqDict`` gives the plain name to whichever image it meets
first and ``chart1.svg`` to the other. A clean build meets them in read
order, an incremental build in the order the pages were added over time, so
the two builds would swap the names (and every ``<img src>`` using them).

:func:`stable_image_names` renames them after all reading, with Sphinx's own
rule applied in the sorted order of the images' source paths, so the names
are a function of the set of images alone, in every build. A page shows its
images' names at write time; ``dependencies`` records them among the page's
inputs, so a page whose image was renamed is written again.

Relied on (Sphinx 9.0): ``env.images`` maps a source path to ``(docnames,
unique name)`` and keeps the names in use in ``_existing``; the HTML builders
read the unique names when they write a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def stable_image_names(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: give every image the unique name a sorted first-come rule gives it."""
    images = env.images
    existing = getattr(images, "_existing", None)
    if not isinstance(existing, set):
        return
    names: set[str] = set()
    for filename in sorted(images):
        docnames, _old = images[filename]
        path = Path(filename)
        unique, number = path.name, 0
        while unique in names:
            number += 1
            unique = f"{path.stem}{number}{path.suffix}"
        images[filename] = (docnames, unique)
        names.add(unique)
    existing.clear()
    existing.update(names)


def images_by_doc(env: BuildEnvironment) -> dict[str, list[tuple[str, str]]]:
    """Docname -> ``(source path, unique name)`` of each image the page shows, sorted."""
    found: dict[str, list[tuple[str, str]]] = {}
    for filename, (docnames, unique) in sorted(env.images.items()):
        for docname in docnames:
            found.setdefault(docname, []).append((str(filename), unique))
    return found
