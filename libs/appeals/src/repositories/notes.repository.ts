import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Db } from './db';

export interface NoteView {
  id: string;
  authorId: string;
  authorName: string;
  text: string;
  createdAt: Date;
}

/** Internal notes of staff on an appeal (`appeal_notes`): never shown to the citizen. */
@Injectable()
export class AppealNotesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async add(tx: Db, note: { appealId: string; authorId: string; text: string }): Promise<string> {
    const [row] = (await tx.query(
      `INSERT INTO appeal_notes (appeal_id, author_id, text) VALUES ($1, $2, $3) RETURNING id`,
      [note.appealId, note.authorId, note.text],
    )) as { id: string }[];
    return row.id;
  }

  async forAppeal(appealId: string): Promise<NoteView[]> {
    return (await this.dataSource.query(
      `SELECT n.id, n.author_id AS "authorId", u.full_name AS "authorName", n.text, n.created_at AS "createdAt"
         FROM appeal_notes n JOIN users u ON u.id = n.author_id WHERE n.appeal_id = $1 ORDER BY n.created_at`,
      [appealId],
    )) as NoteView[];
  }
}
