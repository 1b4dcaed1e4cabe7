"""Settings: the global settings stored in the database (the CLI's `settings` shows the same)."""
import streamlit as st

from analytics import i18n, settings
from views import common

conf = common.header(i18n.N_("Settings"), i18n.N_("stored in the database: the app and `python -m analytics settings` "
                                                  "agree"))
t = i18n.t

with common.cursor() as cur:
    declared = settings.all_settings()
    values = settings.as_dict(cur)

if "settings_flash" in st.session_state:
    st.success(st.session_state.pop("settings_flash"))

CORE = {s.name for s in settings.CORE_SETTINGS}
general = [s for s in declared if s.name in CORE]
rules = [s for s in declared if s.name not in CORE]


def save(edited: dict) -> None:
    """Stores the settings whose value changed (checked by analytics.settings: all or nothing) and says so."""
    changed = {k: v for k, v in edited.items() if v.strip() != values[k]}
    try:
        with common.cursor() as cur:
            settings.set_many(cur, changed)
    except settings.SettingError as exc:
        st.error(t("Not saved: {reason}", reason=exc))
    else:
        common.after_write("settings", "; ".join(f"{k} = {v.strip()}" for k, v in changed.items())
                           if changed else "nothing changed")
        st.session_state["settings_flash"] = (i18n.n("Saved {count} setting.", "Saved {count} settings.", len(changed))
                                              if changed else t("Nothing changed."))
        st.rerun()


def settings_form(key: str, shown: list) -> None:
    """The settings `shown` as inputs, saved together by the form's button."""
    with st.form(key):
        edited = {}
        for setting in shown:
            if setting.name == "language":  # each language named in itself
                codes = list(i18n.LANGUAGES)
                stored = values["language"].strip().lower()
                edited["language"] = st.selectbox(t("Language"), codes,
                                                  index=codes.index(stored) if stored in codes else 0,
                                                  format_func=i18n.LANGUAGES.get, key="setting_language",
                                                  help=t("{help} Default: {default}.", help=setting.help,
                                                         default=setting.default))
                continue
            edited[setting.name] = st.text_input(setting.name.replace("_", " ").capitalize(), values[setting.name],
                                                 help=t("{help} Default: {default}.", help=setting.help,
                                                        default=setting.default),
                                                 key=f"setting_{setting.name}")
        saved = st.form_submit_button(t("Save settings"), type="primary")
    if saved:
        save(edited)


def every_setting() -> None:
    """Every setting with its value, default and meaning (what `python -m analytics settings` prints)."""
    st.dataframe([{"setting": s.name, "value": values[s.name], "default": s.default, "meaning": s.help}
                  for s in declared], hide_index=True,
                 column_config={"setting": t("Setting"), "value": t("Value"), "default": t("Default"),
                                "meaning": t("Meaning")})


# only the open tab runs (on_change="rerun"): the general settings, the rules' thresholds (two dozen inputs) and the
# table of every setting are drawn one at a time, each form saving its own. The tab's label (in the reader's
# language) is its state: a tab is found by its label, drawn by its code's function.
TABS = {i18n.N_("General"): lambda: settings_form("settings_form", general),
        i18n.N_("Rules and thresholds"): lambda: settings_form("settings_rules_form", rules),
        i18n.N_("Every setting with its default"): every_setting}
common.lazy_tabs(TABS, "settings_tab")
