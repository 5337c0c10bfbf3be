package dev.kiln.core.platform.mac;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A small XML property-list reader (dict, array, string, integer, real, true, false, date, data)
 * into maps, lists, strings, longs, doubles and booleans. It never fetches the DTD the plist names.
 */
final class Plist {
    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    });

    private Plist() {
    }

    /** @throws IllegalArgumentException with a one-line reason when the bytes are not a plist */
    static Object parse(byte[] xml) {
        Element root;
        try {
            root = BUILDER.get().parse(new ByteArrayInputStream(xml)).getDocumentElement();
        } catch (Exception e) {
            throw new IllegalArgumentException("not a property list: " + String.valueOf(e.getMessage()).split("\n")[0]);
        }
        if (!root.getTagName().equals("plist")) {
            throw new IllegalArgumentException("not a property list: root element is <" + root.getTagName() + ">");
        }
        Element first = firstElement(root.getFirstChild());
        if (first == null) {
            throw new IllegalArgumentException("empty property list");
        }
        return value(first);
    }

    private static Element firstElement(Node n) {
        for (; n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                return e;
            }
        }
        return null;
    }

    private static Object value(Element e) {
        String text = e.getTextContent().trim();
        return switch (e.getTagName()) {
            case "dict" -> {
                Map<String, Object> m = new LinkedHashMap<>();
                String key = null;
                for (Element c = firstElement(e.getFirstChild()); c != null; c = firstElement(c.getNextSibling())) {
                    if (c.getTagName().equals("key")) {
                        key = c.getTextContent();
                    } else if (key != null) {
                        m.put(key, value(c));
                        key = null;
                    }
                }
                yield m;
            }
            case "array" -> {
                List<Object> l = new ArrayList<>();
                for (Element c = firstElement(e.getFirstChild()); c != null; c = firstElement(c.getNextSibling())) {
                    l.add(value(c));
                }
                yield l;
            }
            case "integer" -> parseLong(text);
            case "real" -> parseDouble(text);
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> text; // string, date, data
        };
    }

    private static Object parseLong(String t) {
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            return parseDouble(t);
        }
    }

    private static Object parseDouble(String t) {
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return t;
        }
    }
}
