"""Reading the sitemap as a crawler does: the index, then every page of every section it lists."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_locs(client) -> list[str]:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    locs = []
    for section in ET.fromstring(index.content).findall("./s:sitemap/s:loc", NS):
        url = urlsplit(section.text)
        page = client.get(url.path + (f"?{url.query}" if url.query else ""))
        assert page.status_code == 200, section.text
        locs += [loc.text for loc in ET.fromstring(page.content).findall("./s:url/s:loc", NS)]
    return locs
