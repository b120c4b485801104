"""The search documents of people and consultation bodies, and the writes that change them."""

from django.db.models import Prefetch

from alliance.models import Article, BodyNote, BodyParticipant, ConsultationBody, LegalInstrument, Person, Post, Tenure
from alliance.search.index import Document, follow, follow_m2m, register


def person_documents(ids):
    people = Person.objects.filter(pk__in=ids).prefetch_related(Prefetch("tenures", Tenure.objects.select_related("post")))
    documents = {}
    for person in people:
        # A person is named by the posts held too: 国防長官 is who Austin was.
        posts = [title for tenure in person.tenures.all() for title in (tenure.post.title_ja, tenure.post.title_en)]
        documents[person.pk] = Document(None, [], head=[person.name_ja, person.name_en, person.name_kana, *person.aliases, *posts])
    return documents


def body_documents(ids):
    bodies = ConsultationBody.objects.filter(pk__in=ids).prefetch_related(
        "participants", "notes", Prefetch("legal_articles", Article.objects.select_related("instrument")))
    documents = {}
    for body in bodies:
        head = [body.abbreviation, body.name_ja, body.name_en, *body.aliases]
        about = [label for participant in body.participants.all() for label in (participant.label_ja, participant.label_en)]
        fields = [body.purpose_ja, body.purpose_en, body.legal_basis_ja, body.legal_basis_en]
        for note in body.notes.all():
            fields += [note.text_ja, note.text_en]
        for article in body.legal_articles.all():  # its legal basis by name: SOFA finds the Joint Committee
            instrument = article.instrument
            fields += [article.label_ja, article.label_en, instrument.name_ja, instrument.name_en, instrument.short_name_ja,
                       instrument.short_name_en, instrument.abbreviation, *instrument.aliases]
        documents[body.pk] = Document(body.established_on, fields, head=head, about=about)
    return documents


def meetings_of(**lookup):
    from meetings.models import Meeting

    return ("meeting", Meeting.objects.filter(**lookup).values_list("pk", flat=True).distinct())


register("person", Person, person_documents)
register("body", ConsultationBody, body_documents)

follow(Person, lambda person: [("person", [person.pk]), meetings_of(attendances__person=person)])
follow(Tenure, lambda tenure: [("person", [tenure.person_id])])
follow(Post, lambda post: [meetings_of(attendances__post=post),
                           ("person", post.tenures.values_list("person_id", flat=True))])
follow(ConsultationBody, lambda body: [("body", [body.pk]), meetings_of(body=body)])
follow(BodyParticipant, lambda participant: [("body", [participant.body_id])])
follow(BodyNote, lambda note: [("body", [note.body_id])])
follow(Article, lambda article: [("body", article.bodies.values_list("pk", flat=True))])
follow(LegalInstrument, lambda instrument: [("body", ConsultationBody.objects.filter(
    legal_articles__instrument=instrument).values_list("pk", flat=True).distinct())])
follow_m2m(ConsultationBody.legal_articles, lambda body: [("body", [body.pk])])
