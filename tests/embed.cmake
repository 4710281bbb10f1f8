# lib/embed: templates (public byte form, comparison) and the recognition net.
face_test(test_template LABELS quick SOURCES test_template.c)
