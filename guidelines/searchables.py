"""The search documents of guideline provisions (with their operations table rows)."""

from alliance.search.index import Document, follow, follow_m2m, register
from guidelines.models import Edition, OperationRole, Provision


def provision_documents(ids):
    provisions = Provision.objects.filter(pk__in=ids).select_related("edition").prefetch_related("operation_roles", "topics")
    documents = {}
    for provision in provisions:
        fields = [provision.path, provision.heading_ja, provision.heading_en, provision.text_ja, provision.text_en,
                  provision.text_printed]
        for role in provision.operation_roles.all():
            fields += [role.operation_ja, role.operation_en, role.joint_ja, role.joint_en, role.sdf_ja, role.sdf_en,
                       role.us_ja, role.us_en, role.text_printed]
        documents[provision.pk] = Document(provision.edition.adopted_on, fields, {"topic": [t.slug for t in provision.topics.all()], "edition": [provision.edition.year]})
    return documents


register("provision", Provision, provision_documents, ("topic", "edition"))

follow(Provision, lambda provision: [("provision", [provision.pk])])
follow(OperationRole, lambda role: [("provision", [role.provision_id])])
follow_m2m(Provision.topics, lambda provision: [("provision", [provision.pk])])
follow(Edition, lambda edition: [("provision", edition.provisions.values_list("pk", flat=True))] if edition.pk else [])
