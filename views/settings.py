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
with st.form("settings_form"):
    st.subheader(t("General"))
    edited = {}
    for setting in declared:
        if setting.name == next((s.name for s in declared if s.name not in CORE), None):
            st.subheader(t("Rules and thresholds"))
        if setting.name == "language":  # each language named in itself
            codes = list(i18n.LANGUAGES)
            stored = values["language"].strip().lower()
            edited["language"] = st.selectbox(t("Language"), codes, index=codes.index(stored) if stored in codes else 0,
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

st.dataframe([{"setting": s.name, "value": values[s.name], "default": s.default, "meaning": s.help}
              for s in declared], hide_index=True,
             column_config={"setting": t("Setting"), "value": t("Value"), "default": t("Default"),
                            "meaning": t("Meaning")})
