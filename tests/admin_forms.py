"""What a browser posts back, unchanged, from an admin change page (inlines included)."""


def admin_change_form_data(response) -> dict:
    data = {}

    def put(form, name, value):
        if value is not False:  # an unticked box is not posted
            text = "on" if value is True else "" if value is None else str(value)
            data[form.add_prefix(name)] = text

    main = response.context["adminform"].form
    for name in main.fields:
        put(main, name, main[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            put(formset.management_form, name, formset.management_form[name].value())
        for form in formset.forms:
            for name in form.fields:
                put(form, name, form[name].value())
    return data
