from django.shortcuts import get_object_or_404, render

from guidelines.models import Edition, OperationRole


def edition_detail(request, year):
    edition = get_object_or_404(Edition.objects.select_related("source__publication"), year=year)
    provisions = list(edition.provisions.select_related("source").prefetch_related("topics").order_by("pk"))
    roles = OperationRole.objects.filter(provision__edition=edition).order_by("position")
    roles_by_provision = {}
    for role in roles:
        roles_by_provision.setdefault(role.provision_id, []).append(role)
    for provision in provisions:
        provision.roles = roles_by_provision.get(provision.pk, [])
    return render(
        request, "guidelines/edition_detail.html", {"edition": edition, "provisions": tree_order(provisions)}
    )


def tree_order(provisions):
    """Provisions depth-first in source order, each with its depth for indentation."""
    children = {}
    for provision in provisions:
        children.setdefault(provision.parent_id, []).append(provision)
    for siblings in children.values():
        siblings.sort(key=lambda provision: provision.position)
    ordered = []

    def walk(parent_id, depth):
        for provision in children.get(parent_id, []):
            provision.depth = depth
            ordered.append(provision)
            walk(provision.pk, depth + 1)

    walk(None, 0)
    return ordered
