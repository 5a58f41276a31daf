"""Streamlit helpers of the pages: widgets, panels and cached resources.

Not routed (``navigation.py`` lists the pages of ``pages/``); the logic they call lives in
:mod:`geo`, without Streamlit.
"""
