"""Sphinx extension for conference sites: talks as pages, schedules as toctrees.

Data flows one way: the ``talk`` directive (``directives``) records talks in
the ``conf`` domain (``domain``); ``schedule`` keeps the pages that list them
equal to a clean build; ``dependencies`` records what each page took from
other pages and decides which pages to write again; ``exports`` writes
calendars and frab schedules; ``navcache`` shares sidebar rendering across
pages. This module only wires those together.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from . import (
    assets,
    chapters,
    cleanup,
    collector,
    compat,
    config,
    context,
    dependencies,
    description,
    directives,
    doctrees,
    domain,
    exports,
    markdown,
    notes,
    options,
    placeholders,
    sanitize,
    schedule,
    stemcache,
    theme,
    timestamps,
    transforms,
)
from .labels import CATALOG

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__: Final = "1.0.0"

#: Version of the data this extension keeps in the environment (the ``conf``
#: domain's ``data`` and the ``Talk``/``View`` records). Bump it whenever their
#: shape changes, so Sphinx re-reads everything instead of unpickling stale data.
ENV_VERSION: Final = 8


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension's configuration, directives, domain and handlers."""
    app.require_sphinx(compat.MINIMUM_SPHINX)
    for name, (default, rebuild, types) in config.CONFIG_VALUES.items():
        app.add_config_value(name, default, rebuild, types=types)
    app.connect("config-inited", config.check_config)
    options.install()

    app.add_domain(domain.ConferenceDomain)
    app.add_role("talk", domain.talk_role())
    app.add_role("presenter", domain.presenter_role())
    app.add_directive("talk", directives.TalkDirective)
    app.add_directive("schedule", directives.ScheduleDirective)
    app.add_directive("presenters", directives.PresentersDirective)
    app.add_directive("tracks", directives.TracksDirective)
    app.add_role("at", timestamps.AtRole())
    app.connect("doctree-read", timestamps.link_moments)
    app.connect("doctree-read", chapters.collect_chapters)
    app.connect("doctree-resolved", timestamps.adapt_moments)
    app.add_directive("talk-description", description.TalkDescriptionDirective)

    app.connect("env-before-read-docs", domain.before_reading)
    app.connect("env-before-read-docs", schedule.defer_view_pages)
    app.connect("env-updated", schedule.refresh_views)
    app.connect("env-updated", assets.stable_image_names)
    app.connect("env-updated", doctrees.release_read_doctrees, priority=doctrees.PRIORITY)
    app.connect("doctree-read", doctrees.release_earlier_doctrees)
    app.connect("env-before-read-docs", collector.start_reading)
    app.connect("doctree-read", collector.page_read)
    app.connect("doctree-resolved", collector.page_written)
    app.connect("env-updated", collector.reading_done, priority=collector.PRIORITY)
    app.connect("build-finished", collector.build_done, priority=collector.FINISHED_PRIORITY)
    app.connect("env-get-updated", schedule.rewrite_outdated)
    app.connect("env-check-consistency", schedule.check_consistency)
    app.add_post_transform(context.ResolveTalkContext)
    app.add_transform(notes.NotesBoundary)
    app.connect("doctree-read", placeholders.warn_placeholders)
    app.add_transform(sanitize.ScriptLinks)
    app.add_transform(markdown.AdoptNestedDocuments)
    app.connect("doctree-resolved", transforms.adapt_to_builder)
    app.connect("doctree-resolved", doctrees.release_written_doctree)
    app.connect("doctree-resolved", stemcache.share_stems)
    app.add_post_transform(transforms.SingleHtmlFragments)
    app.connect("env-updated", exports.make_ahead, priority=exports.AHEAD_PRIORITY)
    app.connect("build-finished", exports.write_exports)
    app.connect("doctree-read", dependencies.note_read)
    app.connect("build-finished", dependencies.forget_unwritten)
    app.connect("env-get-outdated", dependencies.reread_other_flavour)
    app.connect("build-finished", chapters.write_chapters)
    app.connect("env-get-outdated", cleanup.note_removed_docs)
    app.connect("env-get-updated", cleanup.note_unused_assets)
    app.connect("write-started", cleanup.remove_outputs)

    app.connect("builder-inited", theme.copy_stylesheet)
    app.connect("builder-inited", theme.add_header_scopes)
    compat.connect_warning(app, compat.DOCTREE_RELEASE)
    app.add_css_file(theme.STYLESHEET)
    app.add_message_catalog(CATALOG, str(Path(__file__).parent / "locales"))
    app.setup_extension("conference.navcache")
    app.setup_extension("conference.searchindex")
    app.setup_extension("conference.parallel")

    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
