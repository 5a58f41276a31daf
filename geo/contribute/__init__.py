"""The contribution page's logic without Streamlit: the form's fields (declared from the
project model), what the form sends to the store and back, placing the project (geocoder
candidates, map clicks, the territories a point falls in) and the abuse limits.

May import every package below the pages (as :mod:`geo.explorer`); never Streamlit.
"""
